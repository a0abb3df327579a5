package io.acp.libvirt;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * The node's one way to hold a libvirt connection: opened on first use (libvirtd may come up after
 * the node), dropped when it is found lost (libvirtd restarted) so the next use opens it again,
 * and closed for good when its service stops. The hypervisor and the storage service each hold one;
 * what they do on it (events, pools) stays theirs, passed in as {@link Hooks}.
 */
public final class LibvirtLink {

    private static final Logger LOG = Logger.getLogger(LibvirtLink.class);

    /** What a holder does on each fresh connection and before one is let go. */
    public interface Hooks {
        Hooks NONE = new Hooks() {
        };

        /** Called once per opened connection, before anyone uses it. */
        default void opened(Connect c) {
        }

        /** Called before a connection is closed (dropped or at stop). */
        default void closing(Connect c) throws LibvirtException {
        }
    }

    private final String uri;
    private final String nodeId;
    private final String holder;
    private final String uriKey;
    private final Hooks hooks;
    /** Volatile for {@link #current}, which other threads read without the lock. */
    private volatile Connect conn;
    private boolean closed;

    /**
     * @param holder what holds it, for errors ("the hypervisor", "the storage service")
     * @param uriKey the configuration key naming {@code uri}, so a wrong one is easy to fix
     */
    public LibvirtLink(String uri, String nodeId, String holder, String uriKey, Hooks hooks) {
        this.uri = uri;
        this.nodeId = nodeId;
        this.holder = holder;
        this.uriKey = uriKey;
        this.hooks = hooks;
    }

    public String uri() {
        return uri;
    }

    public String nodeId() {
        return nodeId;
    }

    /** The open connection, opening it first if needed; UNAVAILABLE naming the node and the URI if libvirt cannot be reached. */
    public synchronized Connect connection() {
        if (conn != null) {
            return conn;
        }
        if (closed) {
            throw new AcpException(ErrorCode.UNAVAILABLE, holder + " of node " + nodeId + " is stopping: its libvirt connection is closed");
        }
        try {
            LibvirtEventLoop.ensureRunning();
            Connect opened = new NativeConnect(uri);
            hooks.opened(opened);
            conn = opened;
            LOG.infof("%s connected to libvirt at %s", holder, uri);
            return opened;
        } catch (LinkageError e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cannot use libvirt at " + uri + ": "
                    + ClientLibrary.unloadable(e), e);
        } catch (LibvirtException | RuntimeException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cannot connect to libvirt at " + uri + ": " + e.getMessage()
                    + " (is libvirtd running, and is " + uriKey + " right?)", e);
        }
    }

    /**
     * The connection if one is open, else null; never opens one. For a read from another thread
     * while the holder's own thread waits in a long call (libvirt's connection is thread-safe).
     */
    public Connect current() {
        return conn;
    }

    /**
     * After {@code e} failed a call on {@code c}: drops the connection if it is lost, so the next
     * use reconnects. Answers whether it was lost (the caller words its error by that).
     */
    public boolean dropIfLost(Connect c, LibvirtException e) {
        return dropIfLost(c, code(e));
    }

    /**
     * The same for a call libvirt-java does not bind, which failed with libvirt's error number
     * {@code n} (null when it gave none).
     */
    public synchronized boolean dropIfLost(Connect c, ErrorNumber n) {
        if (!lost(n) && alive(c)) {
            return false;
        }
        if (conn == c) {
            disconnect();
        }
        return true;
    }

    /** Drops the connection, as losing it does; the next use connects again. */
    public synchronized void disconnect() {
        Connect c = conn;
        conn = null;
        if (c == null) {
            return;
        }
        try {
            hooks.closing(c);
            c.close();
        } catch (LibvirtException e) {
            LOG.debugf("closing libvirt connection %s: %s", uri, e.getMessage());
        }
    }

    /** Closes for good: later uses answer unavailable instead of reconnecting. */
    public synchronized void close() {
        closed = true;
        disconnect();
    }

    /** libvirt's error number of {@code e}, or null when it carries none. */
    public static ErrorNumber code(LibvirtException e) {
        return e.getError() == null ? null : e.getError().getCode();
    }

    /** Whether {@code e} says the connection itself broke (rather than the call being refused). */
    public static boolean lost(LibvirtException e) {
        return lost(code(e));
    }

    /**
     * Whether libvirt's error number {@code n} says the connection itself broke. A system error does
     * not say it alone: libvirt reports a broken socket with it, and as well a refusal that an OS
     * error caused on the daemon's side (a guest's image that cannot be opened when it starts), so
     * {@link #dropIfLost} asks the connection whether it is still open.
     */
    public static boolean lost(ErrorNumber n) {
        return n == ErrorNumber.VIR_ERR_NO_CONNECT || n == ErrorNumber.VIR_ERR_INVALID_CONN || n == ErrorNumber.VIR_ERR_RPC;
    }

    private static boolean alive(Connect c) {
        try {
            return c.isAlive();
        } catch (LibvirtException e) {
            return false;
        }
    }
}
