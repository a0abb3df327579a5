package io.acp.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The spec of a {@code storage/<id>} object of subtype {@code share}: a network filesystem each of
 * its nodes mounts at {@code <mount-dir>/<id>}, to be the source of dir pools.
 * <pre>
 * {"protocol": "nfs", "source": "10.0.0.5:/export/vm", "options": "vers=4.2,hard", "nodes": ["n1"]}
 * {"protocol": "smb", "source": "//filer/vm", "options": "credentials=/etc/acp/smb.cred"}
 * </pre>
 */
record ShareSpec(String id, String protocol, String source, String options, List<String> nodes) {

    private static final Set<String> FIELDS = Set.of("protocol", "source", "options", "nodes");

    static ShareSpec parse(String id, JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            throw bad(id, "the spec must be a JSON object");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad(id, "unknown field '" + f + "'; allowed: nodes, options, protocol, source");
            }
        }
        String protocol = spec.path("protocol").asText("");
        String source = spec.path("source").asText("");
        String options = spec.path("options").isTextual() ? spec.path("options").asText() : null;
        if (!protocol.equals("nfs") && !protocol.equals("smb")) {
            throw bad(id, "field 'protocol' must be nfs or smb, got " + spec.path("protocol"));
        }
        // A host never starts with '-': mount(8) must not read the source as an option.
        boolean ok = protocol.equals("nfs") ? source.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*):/\\S*")
                : source.matches("//[A-Za-z0-9\\[][^\\s/]*/\\S+");
        if (!ok) {
            throw bad(id, "field 'source' must be " + (protocol.equals("nfs") ? "host:/export" : "//host/share") + ", got \"" + source + "\"");
        }
        if (options != null && (options.isBlank() || options.matches(".*\\s.*") || options.startsWith("-"))) {
            throw bad(id, "field 'options' must be mount options without spaces (a,b=c), got \"" + options + "\"");
        }
        if (options != null && options.matches("(?i)(.*,)?(pass(word)?|pass)=.*")) {
            // Specs are replicated to every node and shown by get/show: a secret does not belong in one.
            throw bad(id, "put the password in a credentials file on each node (options credentials=/etc/acp/x.cred), not in the spec");
        }
        List<String> nodes = new ArrayList<>();
        spec.path("nodes").forEach(n -> nodes.add(n.asText()));
        return new ShareSpec(id, protocol, source, options, List.copyOf(nodes));
    }

    boolean runsOn(String nodeId) {
        return nodes.isEmpty() || nodes.contains(nodeId);
    }

    /** The filesystem type mount(8) gets. */
    String fsType() {
        return protocol.equals("nfs") ? "nfs" : "cifs";
    }

    private static AcpException bad(String id, String message) {
        return AcpException.badRequest("share " + id + ": " + message);
    }
}
