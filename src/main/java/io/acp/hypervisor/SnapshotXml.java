package io.acp.hypervisor;

import java.io.StringReader;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * libvirt's {@code <domainsnapshot>} XML: what ACP asks for (internal qcow2 snapshots, memory when
 * the system runs, read-only disks left out) and the record it reads back.
 */
final class SnapshotXml {

    private SnapshotXml() {
    }

    /**
     * The request: disks snapshotted inside their qcow2 images; memory state as well when
     * {@code memory} (only a running domain has any); the targets in {@code skipped} left out.
     */
    static String request(String name, String description, boolean memory, List<String> skipped) {
        StringBuilder x = new StringBuilder("<domainsnapshot><name>").append(DomainXml.escape(name)).append("</name>");
        if (description != null && !description.isEmpty()) {
            x.append("<description>").append(DomainXml.escape(description)).append("</description>");
        }
        x.append("<memory snapshot='").append(memory ? "internal" : "no").append("'/>");
        if (!skipped.isEmpty()) {
            x.append("<disks>");
            skipped.forEach(t -> x.append("<disk name='").append(t).append("' snapshot='no'/>"));
            x.append("</disks>");
        }
        return x.append("</domainsnapshot>").toString();
    }

    /** Reads what libvirt keeps of a snapshot. */
    static SnapshotRecord read(String xml) {
        Document doc = parse(xml);
        Element root = doc.getDocumentElement();
        String name = text(root, "name");
        Element parent = child(root, "parent");
        String state = text(root, "state");
        Element memory = child(root, "memory");
        boolean hasMemory = memory != null ? "internal".equals(memory.getAttribute("snapshot")) || "external".equals(memory.getAttribute("snapshot"))
                : "running".equals(state) || "paused".equals(state);
        String created = text(root, "creationTime");
        return new SnapshotRecord(name, parent == null ? null : text(parent, "name"), hasMemory,
                "shutoff".equals(state) ? "stopped" : state, created == null ? 0 : Long.parseLong(created.strip()), text(root, "description"), null);
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new IllegalStateException("libvirt gave snapshot XML ACP cannot read: " + e.getMessage(), e);
        }
    }

    private static Element child(Element e, String tag) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(tag)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e, String tag) {
        Element c = child(e, tag);
        return c == null ? null : c.getTextContent().strip();
    }
}
