package io.acp.libvirt;

import com.sun.jna.Pointer;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * A libvirt-java connection that hands out its native {@code virConnectPtr}, for the few libvirt
 * calls libvirt-java does not bind (the hypervisor's bulk counters, {@code virDomainListGetStats}).
 * The library keeps the pointer in a protected field: a subclass is its own way to reach it, no
 * reflection.
 */
public final class NativeConnect extends Connect {

    NativeConnect(String uri) throws LibvirtException {
        super(uri);
    }

    /** The native pointer of {@code c}, a connection a {@link LibvirtLink} opened and has not closed. */
    public static Pointer pointer(Connect c) {
        if (!(c instanceof NativeConnect n) || n.vcp == null) {
            throw new IllegalStateException("not an open connection of a LibvirtLink: " + c);
        }
        return n.vcp.getPointer();
    }
}
