package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a running domain's consoles from its live XML: each {@code <graphics>} (type, listen host,
 * port; -1 until qemu chose an autoport) and each {@code <serial>} (type, and the pty path libvirt
 * allocated). Regular expressions on libvirt's own, regular output: no XML binding in the native image.
 */
final class ConsoleXml {

    private static final Pattern GRAPHICS = Pattern.compile("<graphics\\b([^>]*)>");
    private static final Pattern SERIAL = Pattern.compile("<serial\\b([^>]*)>([\\s\\S]*?)</serial>");
    private static final Pattern SOURCE_PATH = Pattern.compile("<source\\b[^>]*\\bpath=['\"]([^'\"]+)['\"]");
    private static final Pattern LISTEN_ADDRESS = Pattern.compile("<listen\\b[^>]*\\baddress=['\"]([^'\"]+)['\"]");

    private ConsoleXml() {
    }

    /** The consoles of running system {@code id}: CONFLICT when it does not run here, NOT_FOUND when its domain has none. */
    static Uni<ObjectNode> info(Hypervisor hv, String nodeId, String id) {
        return hv.call(b -> {
            Optional<DomainStatus> s = b.status(id);
            if (s.isEmpty() || s.get().state() == SystemState.STOPPED || s.get().state() == SystemState.FAILED) {
                throw new AcpException(ErrorCode.CONFLICT, "system " + id + " is not running on node " + nodeId
                        + ": its consoles exist only while it runs (start it first)");
            }
            return b.xml(id).orElseThrow(() -> AcpException.notFound("domain " + id + " on node " + nodeId));
        }).map(xml -> {
            ArrayNode consoles = consoles(xml);
            if (consoles.isEmpty()) {
                throw AcpException.notFound("console of system " + id + " on node " + nodeId + " (its domain has no graphics and no serial device)");
            }
            ObjectNode o = Json.object().put("id", id).put("node", nodeId);
            o.set("consoles", consoles);
            return o;
        });
    }

    static ArrayNode consoles(String xml) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        Matcher g = GRAPHICS.matcher(xml);
        while (g.find()) {
            ObjectNode c = out.addObject().put("kind", "graphics");
            String attrs = g.group(1);
            c.put("type", attribute(attrs, "type"));
            String host = attribute(attrs, "listen");
            if (host == null) {
                Matcher l = LISTEN_ADDRESS.matcher(xml.substring(g.end()));
                host = l.find() ? l.group(1) : null;
            }
            c.put("host", host);
            String port = attribute(attrs, "port");
            if (port != null) {
                c.put("port", Integer.parseInt(port));
            } else {
                c.putNull("port");
            }
        }
        Matcher s = SERIAL.matcher(xml);
        while (s.find()) {
            ObjectNode c = out.addObject().put("kind", "serial");
            c.put("type", attribute(s.group(1), "type"));
            Matcher p = SOURCE_PATH.matcher(s.group(2));
            c.put("path", p.find() ? p.group(1) : null);
        }
        return out;
    }

    private static String attribute(String attrs, String name) {
        Matcher m = Pattern.compile("\\b" + name + "=['\"]([^'\"]*)['\"]").matcher(attrs);
        return m.find() ? m.group(1) : null;
    }
}
