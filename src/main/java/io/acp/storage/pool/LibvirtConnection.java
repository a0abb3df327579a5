package io.acp.storage.pool;

import io.acp.libvirt.LibvirtLink;
import io.acp.protocol.AcpException;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * The storage service's libvirt connection for its libvirt pools, held by the node's one
 * {@link LibvirtLink} (opened on first use, reopened after it is lost). Calls are serialised: they
 * come from probe threads and are short.
 */
public final class LibvirtConnection implements AutoCloseable {

    /** A call into libvirt that may fail with libvirt's exception. */
    interface Call<T> {
        T apply(Connect c) throws LibvirtException;
    }

    private final LibvirtLink link;

    public LibvirtConnection(String uri, String nodeId) {
        this.link = new LibvirtLink(uri, nodeId, "the storage service", "acp.storage.libvirt-uri", LibvirtLink.Hooks.NONE);
    }

    String uri() {
        return link.uri();
    }

    /** Runs {@code call}; a libvirt error comes back as {@code failure(message)}, a lost connection is dropped for the next call to reopen. */
    synchronized <T> T call(Call<T> call, java.util.function.Function<String, AcpException> failure) {
        Connect c = link.connection();
        try {
            return call.apply(c);
        } catch (LibvirtException e) {
            link.dropIfLost(c, e);
            throw failure.apply(e.getMessage());
        }
    }

    @Override
    public void close() {
        link.close();
    }
}
