package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code acp system set ID …}: changes fields of a system's spec (hypervisor.set). */
@Command(name = "set", description = "Change a system's spec: vcpus, memory, name, disks, networks, autostart. A running system gets the change at its next"
        + " start, and the answer says which fields are pending.")
class SystemSetCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The system's id.")
    String id;

    @Option(names = "--vcpus", paramLabel = "N", description = "Virtual CPUs.")
    Integer vcpus;

    @Option(names = "--memory", paramLabel = "MIB", description = "Memory in MiB.")
    Integer memory;

    @Option(names = "--name", paramLabel = "TEXT", description = "The display name (the domain's title).")
    String name;

    @Option(names = "--disk", paramLabel = "PATH", description = "The disk image files, replacing the system's disks; repeat for more.")
    List<String> disks;

    @Option(names = "--network", paramLabel = "NAME", description = "The ACP networks of its interfaces, replacing its interfaces; repeat for more.")
    List<String> networks;

    @Option(names = "--autostart", negatable = true, description = "Start it (or not: --no-autostart) when the hypervisor starts.")
    Boolean autostart;

    private ObjectNode changes;

    @Override
    protected void validate() {
        SpecFlags.checkSizes(spec.commandLine(), vcpus, memory);
        changes = Json.object();
        SpecFlags.put(changes, vcpus, memory, disks, networks);
        if (name != null) {
            changes.put("name", name);
        }
        if (autostart != null) {
            changes.put("autostart", autostart);
        }
        if (changes.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to change: give at least one of --vcpus, --memory, --name, --disk, --network, --autostart");
        }
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = Json.object().put("id", id);
        args.set("spec", changes);
        return print(api.call("hypervisor", "set", args), SystemSetCommand::report);
    }

    static void report(JsonNode r, PrintWriter out) {
        SystemCommand.report(r, out);
        JsonNode changed = r.path("changed");
        if (changed.isEmpty()) {
            out.println("nothing changed");
            return;
        }
        StringBuilder fields = new StringBuilder();
        changed.forEach(f -> fields.append(fields.length() == 0 ? "" : ", ").append(f.asText()));
        out.println("changed " + fields + "; applies " + r.path("applies").asText());
    }
}
