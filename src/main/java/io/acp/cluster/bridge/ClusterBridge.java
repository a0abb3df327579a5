package io.acp.cluster.bridge;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * The L3 bridge: relays CDB changes between this cluster and a remote one (another L2 domain,
 * another CA) over mutual TLS 1.3. It accepts links on its listen address and, with a peer
 * configured, keeps one link to the remote bridge up, reconnecting with exponential backoff.
 * Every link starts with a full-state exchange, so a cut heals by reconnecting. Entries received
 * are merged into the CDB and reach the other local nodes through cluster sync's anti-entropy.
 * Sockets are blocking, each on a dedicated thread; nothing runs on an event loop.
 *
 * <p>One instance runs once: {@link #start()}, then {@link #stop()}. The CDB stays the caller's.
 */
public final class ClusterBridge {

    private static final Logger LOG = Logger.getLogger(ClusterBridge.class);

    private final Cdb cdb;
    private final BridgeSettings settings;
    private final String node;
    private final Path dataDir;
    private final BridgeCounters counters = new BridgeCounters();
    private final OriginTracker origins = new OriginTracker();
    private final Set<BridgeLink> links = ConcurrentHashMap.newKeySet();
    private SSLContext tls;
    private BridgeGate gate;
    private BridgeSeals seals;
    private AuthorKeys remoteKeys;
    private final OriginCounters refusals;
    private volatile Function<Entry, Optional<SealedEntry>> heldSeals = e -> Optional.empty();
    private SSLServerSocket server;
    private Thread acceptor;
    private Thread connector;
    private volatile boolean running;

    public ClusterBridge(Cdb cdb, BridgeSettings settings, String node, Path dataDir) {
        if (!node.equals(cdb.localNode())) {
            throw new IllegalArgumentException("bridge of node " + node + " was given the CDB of node " + cdb.localNode());
        }
        this.cdb = cdb;
        this.settings = settings;
        this.node = node;
        this.dataDir = dataDir;
        this.refusals = new OriginCounters(node);
    }

    /**
     * Where the bridge finds the seals of this cluster's entries to relay (this node's cluster sync,
     * {@code ClusterSync::sealed}); without it only this node's own entries cross. Call before start.
     */
    public void useSeals(Function<Entry, Optional<SealedEntry>> held) {
        heldSeals = held;
    }

    /** Loads the TLS identity, listens, and (with a peer) starts connecting; fails on bad files or a taken port. */
    public Uni<Void> start() {
        return Uni.createFrom().item(() -> {
                    startNow();
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    private synchronized void startNow() {
        tls = BridgeTls.context(PkiFiles.in(dataDir), settings.remoteCa(), node);
        PkiFiles pki = PkiFiles.in(dataDir);
        gate = new BridgeGate(cdb, Pem.readCertificate(pki.caCertificate()), settings.writable(), counters);
        seals = new BridgeSeals(new NodeSigner(node, Pem.readPrivateKey(pki.nodeKey()), Pem.readCertificate(pki.nodeCertificate())), heldSeals);
        remoteKeys = new AuthorKeys(Pem.readCertificate(settings.remoteCa()));
        try {
            server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(settings.listenHost(), settings.listenPort()));
        } catch (IOException e) {
            throw new UncheckedIOException("bridge of node " + node + " cannot listen on " + settings.listenHost() + ":" + settings.listenPort() + ": " + e.getMessage(), e);
        }
        server.setEnabledProtocols(BridgeTls.PROTOCOLS);
        server.setNeedClientAuth(true);
        running = true;
        acceptor = daemon("acp-bridge-accept-" + node, this::acceptLoop);
        settings.peer().ifPresent(p -> connector = daemon("acp-bridge-connect-" + node, () -> connectLoop(p)));
        LOG.infof("bridge of node %s listening on %s%s", node, address(), settings.peer().map(p -> ", linking to " + p).orElse(""));
    }

    private void acceptLoop() {
        while (running) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                daemon("acp-bridge-link-" + node, () -> runLink(s));
            } catch (IOException e) {
                if (running) {
                    LOG.warnf("bridge of node %s failed to accept: %s", node, e.getMessage());
                }
            }
        }
    }

    private void connectLoop(BridgeSettings.HostPort peer) {
        long backoff = settings.reconnectBackoff().toMillis();
        while (running) {
            long upBefore = counters.linksUp();
            SSLSocket s = null;
            try {
                s = (SSLSocket) tls.getSocketFactory().createSocket();
                s.setEnabledProtocols(BridgeTls.PROTOCOLS);
                s.connect(new InetSocketAddress(peer.host(), peer.port()), 10_000);
            } catch (IOException e) {
                closeQuietly(s);
                s = null;
                if (running) {
                    LOG.debugf("bridge of node %s cannot reach %s: %s", node, peer, e.getMessage());
                }
            }
            if (s != null) {
                runLink(s); // until the link drops
            }
            backoff = counters.linksUp() > upBefore ? settings.reconnectBackoff().toMillis()
                    : Math.min(backoff * 2, settings.reconnectBackoffMax().toMillis());
            sleep(backoff);
        }
    }

    private void runLink(SSLSocket s) {
        BridgeLink link = new BridgeLink(s, cdb, origins, counters, settings.maxFrameBytes(), gate, seals, remoteKeys, refusals);
        links.add(link);
        try {
            if (running) {
                link.run();
            }
        } finally {
            link.close();
            links.remove(link);
        }
    }

    /** Closes listener and links; the CDB stays open. */
    public Uni<Void> stop() {
        return Uni.createFrom().item(() -> {
                    stopNow();
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    private synchronized void stopNow() {
        if (!running) {
            return;
        }
        running = false;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        links.forEach(BridgeLink::close);
        // link threads leave within a keepalive interval; wait so none touches the CDB after stop
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!links.isEmpty() && System.nanoTime() < deadline) {
            sleep(10);
        }
        for (Thread t : new Thread[] {acceptor, connector}) {
            if (t != null) {
                t.interrupt();
                join(t);
            }
        }
        LOG.infof("bridge of node %s stopped (%s)", node, counters.snapshot());
    }

    /** Breaks every current link, as a network cut would; the connecting side reconnects. */
    public void dropLinks() {
        links.forEach(BridgeLink::close);
    }

    public boolean linked() {
        return links.stream().anyMatch(l -> !l.closed());
    }

    /** Where this bridge accepts links; only once started. */
    public InetSocketAddress address() {
        if (server == null) {
            throw new IllegalStateException("bridge of node " + node + " is not started");
        }
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    /** Entries from the remote cluster refused by origin authentication (their authors' seals), by rule and link. */
    public OriginCounters refusals() {
        return refusals;
    }

    public BridgeCounters counters() {
        return counters;
    }

    /** Link counters, and origin refusals as {@code bridge.refused.<rule>}. */
    public Map<String, Long> stats() {
        Map<String, Long> out = new java.util.LinkedHashMap<>(counters.snapshot());
        refusals.snapshot().forEach((k, v) -> {
            if (k.startsWith("sync.refused.")) {
                out.put("bridge.refused." + k.substring("sync.refused.".length()), v);
            }
        });
        return out;
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SSLSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // nothing to undo
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
