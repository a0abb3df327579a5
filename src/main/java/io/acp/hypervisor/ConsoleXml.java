package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
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
