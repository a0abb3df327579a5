package io.acp.hypervisor.libvirt;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The monitor reads' connection ({@link MonitorReads}), with each running domain's handle kept
 * from one sample to the next while the domain is the same run of the same domain (its uuid and
 * its id, which changes at every start): a look-up per domain and sample cost a third of a sample
 * on the test driver. Used by the readers of several domains at once, and by the hypervisor's
 * thread between samples.
 */
final class MonitorLink {

    private record Held(String uuid, int id, Domain handle) {
    }

    private final Connect connect;
    private final Map<String, Held> held = new HashMap<>();
    private int lookups;

    MonitorLink(Connect connect) {
        this.connect = connect;
    }

    /**
     * The handle of domain {@code name} in its run {@code uuid}, {@code id}; null when there is no
     * such domain. Several readers may ask at once (for different domains): the map is guarded, the
     * look-up is not held under it.
     */
    Domain handle(String name, String uuid, int id) throws LibvirtException {
        synchronized (this) {
            Held h = held.get(name);
            if (h != null && h.id() == id && h.uuid().equals(uuid)) {
                return h.handle();
            }
            if (h != null) {
                held.remove(name);
                LibvirtConnection.free(h.handle());
            }
            lookups++;
        }
        Domain d = LibvirtConnection.lookup(connect, name);
        if (d == null) {
            return null;
        }
        if (d.getID() != id || !d.getUUIDString().equals(uuid)) {
            LibvirtConnection.free(d); // another run (or domain) by now: read nothing of it this time
            return null;
        }
        Held before;
        synchronized (this) {
            before = held.put(name, new Held(uuid, id, d));
        }
        if (before != null) {
            LibvirtConnection.free(before.handle());
        }
        return d;
    }

    /** Lets go of the handles of every domain but {@code running}. */
    synchronized void retain(Set<String> running) {
        for (Iterator<Map.Entry<String, Held>> i = held.entrySet().iterator(); i.hasNext();) {
            Map.Entry<String, Held> e = i.next();
            if (!running.contains(e.getKey())) {
                LibvirtConnection.free(e.getValue().handle());
                i.remove();
            }
        }
    }

    /** How many look-ups it made: tests. */
    synchronized int lookups() {
        return lookups;
    }

    /** Frees every handle and closes the connection. */
    synchronized void close() {
        held.values().forEach(h -> LibvirtConnection.free(h.handle()));
        held.clear();
        try {
            connect.close();
        } catch (LibvirtException e) {
            // a connection left behind by a hung read, or one that failed: nothing to do about it
        }
    }
}
