package io.acp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.JsonTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The cloud-init flags of {@code acp system create --template}: files read here, their text sent; the node checks them. */
final class TemplateFlags {

    private TemplateFlags() {
    }

    static ObjectNode cloudInit(CommandLine cmd, Path userData, List<Path> sshKeys, String hostname, Path networkConfig) {
        ObjectNode c = JsonTrees.object();
        if (userData != null) {
            c.put("userData", read(cmd, userData, "--cloud-init"));
        }
        ArrayNode keys = c.putArray("sshKeys");
        for (Path p : sshKeys == null ? List.<Path>of() : sshKeys) {
            read(cmd, p, "--ssh-key").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(keys::add);
        }
        if (hostname != null) {
            c.put("hostname", hostname);
        }
        if (networkConfig != null) {
            c.put("networkConfig", read(cmd, networkConfig, "--network-config"));
        }
        return c;
    }

    private static String read(CommandLine cmd, Path file, String flag) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(cmd, "cannot read " + flag + " " + file + ": " + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e.getMessage()));
        }
    }
}
