package io.acp.storage.share;

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
public record ShareSpec(String id, String protocol, String source, String options, List<String> nodes) {

    private static final Set<String> FIELDS = Set.of("protocol", "source", "options", "nodes");

    public static ShareSpec parse(String id, JsonNode spec) {
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
        // A host never starts with '-': mount(8) must not read the source as an option. A source is
        // a remote name, never a local path: no '.' or '..' segments that a bind could walk.
        boolean ok = protocol.equals("nfs") ? source.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*):/[^\\s,]*")
                : source.matches("//(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9][A-Za-z0-9.-]*)/[^\\s/\\\\,]+(/[^\\s\\\\,]*)?");
        if (ok) {
            String path = protocol.equals("nfs") ? source.substring(source.indexOf(":/") + 1) : source.substring(source.indexOf('/', 2));
            for (String segment : path.split("/")) {
                if (segment.equals(".") || segment.equals("..")) {
                    ok = false;
                }
            }
        }
        if (!ok) {
            throw bad(id, "field 'source' must be " + (protocol.equals("nfs") ? "host:/export" : "//host/share")
                    + " with no '.' or '..' segments, never a local path (rule share-source), got \"" + source + "\"");
        }
        if (options != null && (options.isBlank() || options.matches(".*\\s.*") || options.startsWith("-"))) {
            throw bad(id, "field 'options' must be mount options without spaces (a,b=c), got \"" + options + "\"");
        }
        if (options != null && options.matches("(?i)(.*,)?(pass(word)?|pass)=.*")) {
            // Specs are replicated to every node and shown by get/show: a secret does not belong in one.
            throw bad(id, "put the password in a credentials file on each node (options credentials=/etc/acp/x.cred), not in the spec");
        }
        if (options != null) {
            for (String option : options.split(",")) {
                String name = ShareOptions.names(option).get(0);
                String why = ShareOptions.unknown(protocol, name);
                if (why != null) {
                    throw bad(id, why + "; allowed options are listed in docs/storage.md");
                }
                if (name.equals("credentials") || name.equals("cred")) {
                    String file = option.substring(option.indexOf('=') + 1);
                    java.nio.file.Path p = java.nio.file.Path.of(file);
                    if (!p.isAbsolute() || !p.normalize().equals(p) || !p.startsWith(ShareOptions.CREDENTIALS_DIR) || p.equals(java.nio.file.Path.of(ShareOptions.CREDENTIALS_DIR))) {
                        throw bad(id, "a credentials file must be a normalised path inside " + ShareOptions.CREDENTIALS_DIR
                                + " (rule share-credentials), got \"" + file + "\"");
                    }
                }
            }
        }
        List<String> nodes = new ArrayList<>();
        spec.path("nodes").forEach(n -> nodes.add(n.asText()));
        return new ShareSpec(id, protocol, source, options, List.copyOf(nodes));
    }

    public boolean runsOn(String nodeId) {
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
