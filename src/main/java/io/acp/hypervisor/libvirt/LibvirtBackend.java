package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.DomainEventKind;
import io.acp.hypervisor.DomainStatus;
import io.acp.hypervisor.HypervisorBackend;
import io.acp.hypervisor.SystemState;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockStats;
import org.libvirt.DomainInfo;
import org.libvirt.DomainInterfaceStats;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.LifecycleListener;
import org.libvirt.event.StoppedDetail;

/**
 * The hypervisor through libvirt-java. One connection, opened lazily and reopened after it is lost
 * (libvirtd restarted): a call that fails because the connection broke drops it, and the next call
 * connects again. Not thread-safe: the hypervisor service calls it from its one thread.
 */
public final class LibvirtBackend implements HypervisorBackend {

    private static final Logger LOG = Logger.getLogger(LibvirtBackend.class);

    private static final Pattern INTERFACE_TARGET = Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<target dev='([^']+)'");

    private final String uri;
    private final String nodeId;
    private Connect conn;
    private LifecycleListener listener;
    private volatile boolean closed;
    private BiConsumer<String, DomainEventKind> events = (name, kind) -> { };

    public LibvirtBackend(String uri, String nodeId) {
        this.uri = uri;
        this.nodeId = nodeId;
    }

    @Override
    public void connect(BiConsumer<String, DomainEventKind> events) {
        this.events = events;
        connection();
    }

    private Connect connection() {
        if (conn != null) {
            return conn;
        }
        if (closed) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "the hypervisor of node " + nodeId + " is stopping: its libvirt connection is closed");
        }
        try {
            LibvirtEventLoop.ensureRunning();
            Connect opened = new Connect(uri);
            listen(opened);
            conn = opened;
            LOG.infof("connected to libvirt at %s", uri);
            return opened;
        } catch (LibvirtException | RuntimeException | LinkageError e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " cannot connect to libvirt at " + uri + ": "
                    + e.getMessage() + " (is libvirtd running, and is acp.hypervisor.uri right?)", e);
        }
    }

    /** Events are a shortcut, not a must: without them the reconcile still repairs meta. */
    private void listen(Connect opened) {
        try {
            LifecycleListener l = this::onLifecycle;
            opened.addLifecycleListener(l);
            listener = l;
            opened.registerCloseListener((c, reason) -> LOG.warnf("libvirt connection %s closed (%s); reconnecting on next use", uri, reason));
        } catch (LibvirtException e) {
            LOG.warnf("libvirt at %s delivers no lifecycle events (%s); meta of systems follows the reconcile only", uri, e.getMessage());
        }
    }

    /** Runs on libvirt's event thread: translate and hand on, never call back into libvirt beyond the name. */
    private int onLifecycle(Domain domain, DomainEvent event) {
        try {
            DomainEventKind kind = switch (event.getType()) {
                case DEFINED -> DomainEventKind.DEFINED;
                case UNDEFINED -> DomainEventKind.UNDEFINED;
                case STARTED -> DomainEventKind.STARTED;
                case SUSPENDED, PMSUSPENDED -> DomainEventKind.PAUSED;
                case RESUMED -> DomainEventKind.RESUMED;
                case STOPPED -> crashed(event) ? DomainEventKind.CRASHED : DomainEventKind.STOPPED;
                case CRASHED -> DomainEventKind.CRASHED;
                default -> null;
            };
            if (kind != null) {
                events.accept(domain.getName(), kind);
            }
        } catch (LibvirtException | RuntimeException e) {
            LOG.warnf("cannot handle libvirt event %s: %s", event, e.getMessage());
        }
        return 0;
    }

    private static boolean crashed(DomainEvent event) {
        Object detail = event.getDetail();
        return detail == StoppedDetail.CRASHED || detail == StoppedDetail.FAILED;
    }

    @Override
    public Optional<DomainStatus> status(String name) {
        return call("read domain " + name, c -> {
            Domain d = lookup(c, name);
            try {
                return d == null ? Optional.empty() : Optional.of(status(d));
            } finally {
                free(d);
            }
        });
    }

    @Override
    public List<DomainStatus> list() {
        return call("list domains", c -> {
            List<DomainStatus> out = new ArrayList<>();
            for (int id : c.listDomains()) {
                addIfPresent(out, () -> c.domainLookupByID(id));
            }
            for (String name : c.listDefinedDomains()) {
                addIfPresent(out, () -> c.domainLookupByName(name));
            }
            return out;
        });
    }

    private interface Lookup {
        Domain get() throws LibvirtException;
    }

    /** A domain may vanish between listing and lookup: skip it. */
    private static void addIfPresent(List<DomainStatus> out, Lookup lookup) throws LibvirtException {
        Domain d;
        try {
            d = lookup.get();
        } catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return;
            }
            throw e;
        }
        try {
            out.add(status(d));
        } finally {
            free(d);
        }
    }

    @Override
    public void define(String xml) {
        call("define a domain", c -> {
            free(c.domainDefineXML(xml));
            return null;
        });
    }

    @Override
    public void setAutostart(String name, boolean autostart) {
        onDomain(name, "set autostart of", d -> d.setAutostart(autostart));
    }

    @Override
    public void start(String name) {
        onDomain(name, "start", Domain::create);
    }

    @Override
    public void shutdown(String name) {
        onDomain(name, "shut down", Domain::shutdown);
    }

    @Override
    public void destroy(String name) {
        onDomain(name, "destroy", Domain::destroy);
    }

    @Override
    public void pause(String name) {
        onDomain(name, "pause", Domain::suspend);
    }

    @Override
    public void resume(String name) {
        onDomain(name, "resume", Domain::resume);
    }

    @Override
    public void undefine(String name) {
        onDomain(name, "undefine", Domain::undefine);
    }

    @Override
    public Map<String, long[]> blockStats(String name, List<String> devices) {
        return call("read block stats of " + name, c -> {
            Map<String, long[]> out = new LinkedHashMap<>();
            Domain d = lookup(c, name);
            if (d == null) {
                return out;
            }
            try {
                for (String dev : devices) {
                    try {
                        DomainBlockStats s = d.blockStats(dev);
                        out.put(dev, new long[] {s.rd_bytes, s.wr_bytes});
                    } catch (LibvirtException e) {
                        // The driver may not report this device (no such file yet): leave it out.
                    }
                }
            } finally {
                free(d);
            }
            return out;
        });
    }

    @Override
    public Map<String, long[]> interfaceStats(String name) {
        return call("read interface stats of " + name, c -> {
            Map<String, long[]> out = new LinkedHashMap<>();
            Domain d = lookup(c, name);
            if (d == null) {
                return out;
            }
            try {
                // The host-side device names are chosen by libvirt at start: read them from the live XML.
                Matcher m = INTERFACE_TARGET.matcher(d.getXMLDesc(0));
                while (m.find()) {
                    try {
                        DomainInterfaceStats s = d.interfaceStats(m.group(1));
                        out.put(m.group(1), new long[] {s.rx_bytes, s.tx_bytes});
                    } catch (LibvirtException e) {
                        // Not reported for this device type: leave it out.
                    }
                }
            } finally {
                free(d);
            }
            return out;
        });
    }

    @Override
    public Optional<String> xml(String name) {
        return call("read the XML of domain " + name, c -> {
            Domain d = lookup(c, name);
            try {
                return d == null ? Optional.empty() : Optional.of(d.getXMLDesc(0));
            } finally {
                free(d);
            }
        });
    }

    @Override
    public void migrateLive(String name, String targetUri) {
        long flags = Domain.MigrateFlags.LIVE | Domain.MigrateFlags.PEER2PEER | Domain.MigrateFlags.PERSIST_DEST
                | Domain.MigrateFlags.UNDEFINE_SOURCE | Domain.MigrateFlags.ABORT_ON_ERROR;
        onDomain(name, "live-migrate to " + targetUri, d -> d.migrateToURI(targetUri, flags, null, 0));
    }

    @Override
    public Map<String, Long> memoryStats(String name) {
        return call("read memory stats of " + name, c -> {
            Map<String, Long> out = new LinkedHashMap<>();
            Domain d = lookup(c, name);
            if (d == null) {
                return out;
            }
            try {
                for (org.libvirt.MemoryStatistic m : d.memoryStats(10)) {
                    String key = switch (m.getTag()) { // virDomainMemoryStatTags
                        case 4 -> "unused";
                        case 6 -> "actual";
                        case 7 -> "rss";
                        case 8 -> "usable";
                        default -> null;
                    };
                    if (key != null) {
                        out.put(key, m.getValue());
                    }
                }
            } catch (LibvirtException e) {
                // The driver reports no memory stats (the test driver): leave them out.
            } finally {
                free(d);
            }
            return out;
        });
    }

    /**
     * qemu's driver writes each running domain's pid to {@code <run dir>/<name>.pid}: /run/libvirt/qemu
     * for qemu:///system. Other drivers (test:, qemu:///session) have no VMM process we can supervise.
     */
    @Override
    public java.util.OptionalLong vmmPid(String name) {
        if (!uri.startsWith("qemu") || !uri.endsWith("/system")) {
            return java.util.OptionalLong.empty();
        }
        try {
            String pid = java.nio.file.Files.readString(java.nio.file.Path.of("/run/libvirt/qemu", name + ".pid")).strip();
            return java.util.OptionalLong.of(Long.parseLong(pid));
        } catch (java.io.IOException | NumberFormatException e) {
            return java.util.OptionalLong.empty();
        }
    }

    /** Closes for good: later calls answer unavailable instead of reconnecting. */
    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    /** Drops the connection, as losing it does; the next call connects again. */
    public void disconnect() {
        Connect c = conn;
        conn = null;
        LifecycleListener l = listener;
        listener = null;
        if (c != null) {
            try {
                if (l != null) {
                    c.removeLifecycleListener(l);
                }
                c.close();
            } catch (LibvirtException e) {
                LOG.debugf("closing libvirt connection %s: %s", uri, e.getMessage());
            }
        }
    }

    private interface DomainAction {
        void run(Domain d) throws LibvirtException;
    }

    private void onDomain(String name, String what, DomainAction action) {
        call(what + " domain " + name, c -> {
            Domain d = lookup(c, name);
            if (d == null) {
                throw AcpException.notFound("domain " + name + " on node " + nodeId);
            }
            try {
                action.run(d);
            } finally {
                free(d);
            }
            return null;
        });
    }

    private interface Call<T> {
        T run(Connect c) throws LibvirtException;
    }

    private <T> T call(String what, Call<T> call) {
        Connect c = connection();
        try {
            return call.run(c);
        } catch (LibvirtException e) {
            if (connectionLost(e)) {
                disconnect();
                throw new AcpException(ErrorCode.UNAVAILABLE, "node " + nodeId + " lost libvirt at " + uri + " during '" + what + "': "
                        + e.getMessage() + "; it reconnects on the next call", e);
            }
            throw new AcpException(ErrorCode.INTERNAL, "libvirt on node " + nodeId + " refused to " + what + ": " + e.getMessage(), e);
        }
    }

    private static Domain lookup(Connect c, String name) throws LibvirtException {
        try {
            return c.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    private static DomainStatus status(Domain d) throws LibvirtException {
        DomainInfo info = d.getInfo();
        return new DomainStatus(d.getName(), state(info.state), info.nrVirtCpu, info.memory, info.maxMem, info.cpuTime);
    }

    static SystemState state(DomainInfo.DomainState s) {
        return switch (s) {
            case VIR_DOMAIN_RUNNING, VIR_DOMAIN_BLOCKED -> SystemState.RUNNING;
            case VIR_DOMAIN_PAUSED, VIR_DOMAIN_PMSUSPENDED -> SystemState.PAUSED;
            case VIR_DOMAIN_CRASHED -> SystemState.FAILED;
            // SHUTDOWN = still shutting down: it runs until it reaches SHUTOFF.
            case VIR_DOMAIN_SHUTDOWN -> SystemState.RUNNING;
            case VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_NOSTATE -> SystemState.STOPPED;
        };
    }

    private static ErrorNumber code(LibvirtException e) {
        return e.getError() == null ? null : e.getError().getCode();
    }

    private static boolean connectionLost(LibvirtException e) {
        ErrorNumber n = code(e);
        return n == ErrorNumber.VIR_ERR_NO_CONNECT || n == ErrorNumber.VIR_ERR_INVALID_CONN
                || n == ErrorNumber.VIR_ERR_RPC || n == ErrorNumber.VIR_ERR_SYSTEM_ERROR;
    }

    private static void free(Domain d) {
        if (d != null) {
            try {
                d.free();
            } catch (LibvirtException e) {
                // Freeing a handle cannot fail in a way we could act on.
            }
        }
    }
}
