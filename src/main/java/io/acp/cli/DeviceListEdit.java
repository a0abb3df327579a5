package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.model.JsonTrees;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.List;

/**
 * {@code system set --add-disk/--remove-disk/--add-network/--remove-network}: a system's disk or
 * interface list with entries appended at its end or taken out, as {@code hypervisor.set} gets it
 * (which hot-plugs what was added at or removed from the end into a running system).
 */
final class DeviceListEdit {

    private DeviceListEdit() {
    }

    static ArrayNode disks(JsonNode current, List<String> add, List<String> remove, String system) {
        ArrayNode out = copy(current);
        for (String gone : remove == null ? List.<String>of() : remove) {
            int i = last(out, d -> gone.equals(d.path("path").asText(null)) || gone.equals(d.path("volume").asText(null)));
            if (i < 0) {
                throw new AcpException(ErrorCode.NOT_FOUND, "system " + system + " has no disk of path or volume " + gone);
            }
            out.remove(i);
        }
        for (String path : add == null ? List.<String>of() : add) {
            out.addObject().put("path", path);
        }
        return out;
    }

    static ArrayNode interfaces(JsonNode current, List<String> add, List<String> remove, String system) {
        ArrayNode out = copy(current);
        for (String gone : remove == null ? List.<String>of() : remove) {
            int i = last(out, n -> gone.equals(n.path("network").asText(null)) || gone.equals(n.path("bridge").asText(null)));
            if (i < 0) {
                throw new AcpException(ErrorCode.NOT_FOUND, "system " + system + " has no interface on network or bridge " + gone);
            }
            out.remove(i);
        }
        for (String network : add == null ? List.<String>of() : add) {
            out.addObject().put("network", network);
        }
        return out;
    }

    private static ArrayNode copy(JsonNode list) {
        ArrayNode out = JsonTrees.array();
        list.forEach(e -> out.add(e.deepCopy()));
        return out;
    }

    /** The last entry matching: removing from the end is what a running system can take live. */
    private static int last(ArrayNode list, java.util.function.Predicate<JsonNode> match) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (match.test(list.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
