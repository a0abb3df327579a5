package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.acp.protocol.AcpException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a system made from a template is told at its first boot, through cloud-init's NoCloud data
 * source ({@link SeedIso}): its {@code user-data} (a {@code #cloud-config} YAML document or a
 * script starting with {@code #!}), SSH public keys and hostname (in {@code meta-data}), and its
 * {@code network-config}: the operator's (cloud-init's network configuration, version 1 or 2, e.g.
 * static addresses) or else DHCP on every Ethernet interface. Checked here, before anything is
 * written, so a bad user-data or network-config is a BAD_REQUEST naming the rule, not a guest that
 * silently ignores it.
 *
 * @param userData      null: an empty {@code #cloud-config}
 * @param networkConfig null: DHCP on every Ethernet interface
 */
record CloudInit(String userData, List<String> sshKeys, String hostname, String networkConfig) {

    static final int MAX_USER_DATA = 64 * 1024;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final Pattern SSH_KEY = Pattern.compile("(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\\n]*)?");

    /** From the {@code cloudInit} argument of hypervisor.create ({@code {"userData", "sshKeys", "hostname", "networkConfig"}}); null when absent. */
    static CloudInit parse(String system, JsonNode j) {
        if (j == null || j.isNull() || j.isMissingNode()) {
            return null;
        }
        if (!j.isObject()) {
            throw AcpException.badRequest("system " + system + ": cloudInit must be an object {\"userData\", \"sshKeys\", \"hostname\", \"networkConfig\"}");
        }
        String userData = j.hasNonNull("userData") ? j.get("userData").asText() : null;
        List<String> keys = new ArrayList<>();
        j.path("sshKeys").forEach(k -> keys.add(k.asText().strip()));
        String hostname = j.hasNonNull("hostname") ? j.get("hostname").asText() : null;
        String networkConfig = j.hasNonNull("networkConfig") ? j.get("networkConfig").asText() : null;
        CloudInit c = new CloudInit(userData, List.copyOf(keys), hostname, networkConfig);
        c.check(system);
        return c;
    }

    private void check(String system) {
        if (userData != null) {
            checkUserData(system, userData);
        }
        for (String k : sshKeys) {
            if (!SSH_KEY.matcher(k).matches()) {
                throw AcpException.badRequest("rule cloud-init-ssh-key: system " + system + ": '" + abbreviated(k)
                        + "' is not an OpenSSH public key (ssh-ed25519 AAAA... comment)");
            }
        }
        if (networkConfig != null) {
            checkNetworkConfig(system, networkConfig);
        }
        if (hostname != null && (hostname.length() > 253 || !HOSTNAME.matcher(hostname).matches())) {
            throw AcpException.badRequest("rule cloud-init-hostname: system " + system + ": hostname '" + abbreviated(hostname)
                    + "' is not a host name (letters, digits and '-', dot-separated labels of at most 63)");
        }
    }

    /** BAD_REQUEST (rule cloud-init-user-data) unless {@code text} is a #cloud-config YAML mapping or a #! script. */
    static void checkUserData(String system, String text) {
        String rule = "rule cloud-init-user-data: system " + system + ": ";
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_USER_DATA) {
            throw AcpException.badRequest(rule + "user-data is larger than " + MAX_USER_DATA + " bytes");
        }
        if (text.startsWith("#!")) {
            return;
        }
        if (!text.startsWith("#cloud-config")) {
            throw AcpException.badRequest(rule + "user-data must start with '#cloud-config' (a YAML document) or '#!' (a script); it starts with '"
                    + abbreviated(text.lines().findFirst().orElse("")) + "'");
        }
        JsonNode doc;
        try {
            doc = YAML.readTree(text);
        } catch (IOException e) {
            throw AcpException.badRequest(rule + "user-data is not YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc != null && !doc.isMissingNode() && !doc.isNull() && !doc.isObject()) {
            throw AcpException.badRequest(rule + "#cloud-config user-data must be a YAML mapping (keys such as runcmd, users, write_files), got a "
                    + doc.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /**
     * BAD_REQUEST (rule cloud-init-network-config) unless {@code text} is a YAML mapping with
     * {@code version: 1} or {@code version: 2} (cloud-init's two formats), optionally under a
     * top-level {@code network:} key as cloud-init also reads it.
     */
    static void checkNetworkConfig(String system, String text) {
        String rule = "rule cloud-init-network-config: system " + system + ": ";
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_USER_DATA) {
            throw AcpException.badRequest(rule + "network-config is larger than " + MAX_USER_DATA + " bytes");
        }
        JsonNode doc;
        try {
            doc = YAML.readTree(text);
        } catch (IOException e) {
            throw AcpException.badRequest(rule + "network-config is not YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (doc == null || !doc.isObject()) {
            throw AcpException.badRequest(rule + "network-config must be a YAML mapping with 'version: 1' or 'version: 2'");
        }
        JsonNode config = doc.has("network") ? doc.get("network") : doc;
        int version = config.path("version").asInt(0);
        if (version != 1 && version != 2) {
            throw AcpException.badRequest(rule + "network-config must say 'version: 1' or 'version: 2' (cloud-init's formats), it says "
                    + (config.has("version") ? "'version: " + abbreviated(config.get("version").asText()) + "'" : "no version"));
        }
    }

    /** The NoCloud {@code meta-data} of system {@code id}. */
    String metaData(String id) {
        StringBuilder b = new StringBuilder();
        b.append("instance-id: ").append(id).append('\n');
        b.append("local-hostname: ").append(hostname != null ? hostname : id.replaceAll("[^A-Za-z0-9-]", "-")).append('\n');
        if (!sshKeys.isEmpty()) {
            b.append("public-keys:\n");
            for (String k : sshKeys) {
                b.append("  - \"").append(k.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
            }
        }
        return b.toString();
    }

    String userDataOrDefault() {
        return userData != null ? userData : "#cloud-config\n";
    }

    /** The operator's network-config, else DHCP on every Ethernet interface. */
    String networkConfigOrDefault() {
        return networkConfig != null ? networkConfig : DHCP_EVERYWHERE;
    }

    /** DHCP on every Ethernet interface: ACP networks hand out addresses, or the operator's network-config says otherwise. */
    static final String DHCP_EVERYWHERE = "version: 2\nethernets:\n  all:\n    match:\n      name: \"e*\"\n    dhcp4: true\n";

    private static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
