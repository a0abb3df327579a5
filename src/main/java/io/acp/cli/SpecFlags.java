package io.acp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The spec fields {@code system create} and {@code system set} take as flags: checked and written
 * into a spec the same way by both, so the two cannot drift apart.
 */
final class SpecFlags {

    private SpecFlags() {
    }

    /** A value that is there but wrong is an invalid value, not a missing option. */
    static void checkSizes(CommandLine command, Integer vcpus, Integer memory) {
        if (vcpus != null && vcpus < 1) {
            throw new ParameterException(command, "invalid value for option '--vcpus': " + vcpus + " (a system needs at least 1 virtual CPU)");
        }
        if (memory != null && memory < 1) {
            throw new ParameterException(command, "invalid value for option '--memory': " + memory + " (memory is in MiB and must be at least 1)");
        }
    }

    /** Writes the flags given (null: not given) into {@code spec}; disks and networks replace the spec's. */
    static void put(ObjectNode spec, Integer vcpus, Integer memory, List<String> disks, List<String> networks) {
        if (vcpus != null) {
            spec.put("vcpus", vcpus);
        }
        if (memory != null) {
            spec.put("memory", memory);
        }
        if (disks != null) {
            ArrayNode d = spec.putArray("disks");
            disks.forEach(p -> d.addObject().put("path", p));
        }
        if (networks != null) {
            ArrayNode n = spec.putArray("interfaces");
            networks.forEach(net -> n.addObject().put("network", net));
        }
    }
}
