package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.DomainEventKind;
import io.acp.libvirt.LibvirtLink;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.event.LifecycleListener;

/**
 * The hypervisor's libvirt connection, held by the node's one {@link LibvirtLink} (opened lazily,
 * reopened after it is lost); this class adds domain lifecycle events and the call shapes. Every call's LibvirtException becomes an AcpException naming the node and the call. Not
 * thread-safe: the hypervisor service calls it from its one thread.
 */
final class LibvirtConnection {

    private static final Logger LOG = Logger.getLogger(LibvirtConnection.class);

    private final DomainEvents events = new DomainEvents();
    private final LibvirtLink link;
    private LifecycleListener listener;

    LibvirtConnection(String uri, String nodeId) {
        this.link = new LibvirtLink(uri, nodeId, "the hypervisor", "acp.hypervisor.uri", new LibvirtLink.Hooks() {
            @Override
            public void opened(Connect c) {
                listen(c);
            }

            @Override
            public void closing(Connect c) throws LibvirtException {
                LifecycleListener l = listener;
                listener = null;
                if (l != null) {
                    c.removeLifecycleListener(l);
                }
            }
        });
    }

    String uri() {
        return link.uri();
    }

    /** The connection held now, or null: whether a failed call kept it or a reconnect replaced it. */
    Connect held() {
        return link.current();
    }

    String nodeId() {
        return link.nodeId();
    }

    /** Connects if not connected; lifecycle events go to {@code sink} from then on. */
    void open(BiConsumer<String, DomainEventKind> sink) {
        events.sendTo(sink);
        link.connection();
    }

    interface Call<T> {
        T run(Connect c) throws LibvirtException;
    }

    interface DomainCall<T> {
        T run(Domain d) throws LibvirtException;
    }

    interface DomainAction {
        void run(Domain d) throws LibvirtException;
    }

    /** Runs {@code call} on the connection; {@code what} names it in the error. */
    <T> T call(String what, Call<T> call) {
        return call(() -> what, call);
    }

    /**
     * {@link #call(String, Call)} for a call of several steps: {@code what} is asked only when one
     * fails, so it can name the step the call had come to.
     */
    <T> T call(Supplier<String> what, Call<T> call) {
        Connect c = link.connection();
        try {
            return call.run(c);
        } catch (LibvirtException e) {
            throw failed(what.get(), c, LibvirtLink.code(e), e);
        } catch (NativeCallFailed e) {
            // a call of the stats sample's own binding: the same libvirt error, without libvirt-java's exception
            throw failed(what.get(), c, e.code(), e);
        }
    }

    /** The error of call {@code what} that failed on {@code c} with libvirt's {@code code}: UNAVAILABLE if the connection is lost (dropped, so the next call reconnects), else INTERNAL. */
    private AcpException failed(String what, Connect c, ErrorNumber code, Exception e) {
        if (link.dropIfLost(c, code)) {
            return new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId() + " lost libvirt at " + uri() + " during '" + what + "': "
                    + e.getMessage() + "; it reconnects on the next call", e);
        }
        return new AcpException(ErrorCode.INTERNAL, "libvirt on node " + nodeId() + " refused to " + what + ": " + e.getMessage(), e);
    }

    /** Reads from domain {@code name} (its handle freed after); {@code absent} when there is no such domain. */
    <T> T read(String what, String name, T absent, DomainCall<T> read) {
        return call(what, c -> readDomain(c, name, absent, read));
    }

    private static <T> T readDomain(Connect c, String name, T absent, DomainCall<T> read) throws LibvirtException {
        Domain d = lookup(c, name);
        if (d == null) {
            return absent;
        }
        try {
            return read.run(d);
        } finally {
            free(d);
        }
    }

    /**
     * Reads from domain {@code name} on the open connection from another thread than the
     * hypervisor's, while that one waits in a long libvirt call (a migration's job figures): libvirt's
     * connection is thread-safe, this wrapper's reconnecting is not, so this never connects or
     * disconnects; {@code absent} when not connected, no such domain, or libvirt refuses.
     */
    <T> T readBeside(String name, T absent, DomainCall<T> read) {
        Connect c = link.current();
        if (c == null) {
            return absent;
        }
        try {
            return readDomain(c, name, absent, read);
        } catch (LibvirtException e) {
            LOG.debugf("reading %s beside the running job on node %s: %s", name, nodeId(), e.getMessage());
            return absent;
        }
    }

    /** Acts on domain {@code name} (its handle freed after); NOT_FOUND when there is no such domain. */
    void act(String what, String name, DomainAction action) {
        actAndRead(what, name, d -> {
            action.run(d);
            return null;
        });
    }

    /** {@link #act}, then reads on the same handle: what {@code action} returns. */
    <T> T actAndRead(String what, String name, DomainCall<T> action) {
        return call(what + " domain " + name, c -> {
            Domain d = lookup(c, name);
            if (d == null) {
                throw AcpException.notFound("domain " + name + " on node " + nodeId());
            }
            try {
                return action.run(d);
            } finally {
                free(d);
            }
        });
    }

    /** Closes for good: later calls answer unavailable instead of reconnecting. */
    void close() {
        link.close();
    }

    /** Drops the connection, as losing it does; the next call connects again. */
    void disconnect() {
        link.disconnect();
    }

    /** Events are a shortcut, not a must: without them the reconcile still repairs meta. */
    private void listen(Connect opened) {
        try {
            LifecycleListener l = events::onLifecycle;
            opened.addLifecycleListener(l);
            listener = l;
            opened.registerCloseListener((c, reason) -> LOG.warnf("libvirt connection %s closed (%s); reconnecting on next use", uri(), reason));
        } catch (LibvirtException e) {
            LOG.warnf("libvirt at %s delivers no lifecycle events (%s); meta of systems follows the reconcile only", uri(), e.getMessage());
        }
    }

    /** The domain named {@code name}, or null if there is none. */
    static Domain lookup(Connect c, String name) throws LibvirtException {
        try {
            return c.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    static ErrorNumber code(LibvirtException e) {
        return LibvirtLink.code(e);
    }

    static void free(Domain d) {
        if (d != null) {
            try {
                d.free();
            } catch (LibvirtException e) {
                // Freeing a handle cannot fail in a way we could act on.
            }
        }
    }
}
