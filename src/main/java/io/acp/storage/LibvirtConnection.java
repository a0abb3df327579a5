package io.acp.storage;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * One libvirt connection for the storage service's libvirt pools, opened on first use (libvirtd
 * may come up after the node) and again after a failure. Calls are serialised: they come from
 * probe threads and are short.
 */
final class LibvirtConnection implements AutoCloseable {

    /** A call into libvirt that may fail with libvirt's exception. */
    interface Call<T> {
        T apply(Connect c) throws LibvirtException;
    }

    private final String uri;
    private final String nodeId;
    private Connect conn;
    private boolean closed;

    LibvirtConnection(String uri, String nodeId) {
        this.uri = uri;
        this.nodeId = nodeId;
    }

    String uri() {
        return uri;
    }

    /** Runs {@code call}; a libvirt error comes back as {@code failure(message)}, a lost connection is dropped for the next call to reopen. */
    synchronized <T> T call(Call<T> call, java.util.function.Function<String, AcpException> failure) {
        Connect c = connection();
        try {
            return call.apply(c);
        } catch (LibvirtException e) {
            if (!isAlive(c)) {
                closeQuietly();
            }
            throw failure.apply(e.getMessage());
        }
    }

    private Connect connection() {
        if (closed) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "the storage service of node " + nodeId + " is stopping");
        }
        if (conn == null) {
            try {
                conn = new Connect(uri);
            } catch (LibvirtException | RuntimeException | LinkageError e) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cannot connect to libvirt at " + uri + ": " + e.getMessage()
                        + " (is libvirtd running, and is acp.storage.libvirt-uri right?)");
            }
        }
        return conn;
    }

    private static boolean isAlive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }

    private void closeQuietly() {
        try {
            if (conn != null) {
                conn.close();
            }
        } catch (LibvirtException e) {
            // already gone
        }
        conn = null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeQuietly();
    }
}
