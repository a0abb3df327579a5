package io.acp.agent;

import io.acp.api.ApiConfig;
import io.acp.api.ApiService;
import io.acp.api.ServedConnection;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.protocol.AcpException;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.NodeCertificates;
import io.acp.security.NodeKeyManager;
import io.acp.security.Pem;
import io.acp.security.Revocation;
import io.acp.security.RevocationList;
import io.acp.security.PkiFiles;
import io.smallrye.mutiny.CompositeException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The agent: the node's TLS entry point. Clients (other nodes, remote operators) must present a
 * certificate signed by the cluster CA and then an API key, exactly as on the local API, whose
 * operations serve them. It also routes this node's requests for other nodes to their agents.
 */
@ApplicationScoped
public class AgentService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(AgentService.class);

    private final AgentConfig config;
    private final String nodeId;
    private final PkiFiles pki;
    private final ApiService api;
    private final Supplier<Cdb> cdb;
    private final Vertx vertx;
    private final Executor worker = Infrastructure.getDefaultWorkerPool();
    private final Map<ServedConnection, ConnectedClient> connections = new ConcurrentHashMap<>();
    private final AtomicLong revokedRefusals = new AtomicLong();
    private volatile RevocationList revocations;
    private volatile long revocationTimer = -1;
    private volatile ClientLimits limits;
    private volatile NodeKeyManager keys;
    private volatile NetServer server;
    private volatile NetClient client;
    private volatile RemoteNodes remote;
    private volatile JoinListener join;
    private volatile CertificateRenewal renewal;
    private volatile long renewalTimer = -1;

    @Inject
    public AgentService(AgentConfig config, NodeIdentity identity, ApiService api, ClusterService cluster, Vertx vertx) {
        this(config, identity.id(), identity.dataDir(), api, cluster::cdb, vertx);
    }

    public AgentService(AgentConfig config, String nodeId, Path dataDir, ApiService api, Supplier<Cdb> cdb, Vertx vertx) {
        this.config = config;
        this.nodeId = nodeId;
        this.pki = PkiFiles.in(dataDir);
        this.api = api;
        this.cdb = cdb;
        this.vertx = vertx;
    }

    @Override
    public String name() {
        return "agent";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("api", "cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().item(() -> {
                    ClusterPki.ensureInitialised(pki, nodeId);
                    renewal = new CertificateRenewal(nodeId, pki);
                    renewal.serving(ClusterPki.checkNodeCertificate(pki, nodeId));
                    keys = NodeKeyManager.read(pki);
                    Tls.protocols(config.tlsProtocols());
                    revocations = new RevocationList(nodeId, Pem.readCertificate(pki.caCertificate()),
                            () -> cdb.get().objects(ObjectQuery.ofType(ObjectType.SECURITY)));
                    revocations.refresh(); // before the first connection: accepting one only looks the list up
                    return config.joinPort() >= 0 && JoinListener.canIssue(pki);
                })
                .runSubscriptionOn(worker)
                .chain(admitsJoins -> {
                    limits = new ClientLimits(config.maxConnectionsPerClient(), config.connectionsPerSecond(), config.requestsPerSecond());
                    NetServer s = vertx.createNetServer(Tls.server(keys, pki, config.tlsProtocols()))
                            .connectHandler(this::accept)
                            .exceptionHandler(e -> LOG.infof("agent of node %s refused a connection: %s", nodeId, reason(e)));
                    server = s;
                    Uni<Void> listening = uni(s.listen(config.port(), config.host()));
                    if (!admitsJoins) {
                        return listening;
                    }
                    // Both listeners build their TLS context at once rather than one after the other.
                    join = new JoinListener(nodeId, pki, worker, cdb);
                    Uni<Void> joining = uni(join.listen(vertx, Tls.server(keys, pki, config.tlsProtocols()), config.host(), config.joinPort()))
                            .invoke(() -> LOG.infof("agent of node %s admits nodes with join tokens on tls:%s:%d", nodeId, config.host(), joinPort()));
                    return Uni.join().all(listening, joining).andCollectFailures().replaceWithVoid()
                            .onFailure(CompositeException.class).transform(f -> ((CompositeException) f).getCauses().get(0));
                })
                .invoke(() -> {
                    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, config.routeTimeout().toMillis());
                    client = vertx.createNetClient(Tls.client(keys, pki, config.tlsProtocols(), timeoutMs));
                    remote = new RemoteNodes(nodeId, cdb, client, config.routeTimeout(), config.jobRouteTimeout(), api::runsAsJob,
                            revocations::knownRevoked);
                    api.routeRemoteThrough(remote);
                    renewalTimer = vertx.setPeriodic(CertificateRenewal.CHECK_EVERY.toMillis(), t -> renewIfDue());
                    revocationTimer = vertx.setPeriodic(RevocationList.REFRESH.toMillis(), t -> worker.execute(this::closeRevoked));
                    LOG.infof("agent serving tls:%s:%d for node %s (advertised as %s)", config.host(), port(), nodeId, advertisedAddress());
                });
    }

    private void accept(NetSocket socket) {
        String peer = socket.remoteAddress().hostAddress();
        X509Certificate cert = ConnectedClient.certificateOf(socket);
        // A lookup on the event loop: the list is read and its signatures checked on a worker (closeRevoked).
        Optional<Revocation> revoked = cert == null ? Optional.empty() : revocations.knownRevocationOf(cert);
        if (revoked.isPresent()) {
            revokedRefusals.incrementAndGet();
            LOG.infof("agent of node %s refused a connection from %s: the certificate of %s (serial %s) is revoked: %s", nodeId, peer,
                    NodeCertificates.describe(cert), cert.getSerialNumber().toString(16), revoked.get().describe());
            socket.close();
            return;
        }
        String refused = limits.admit(peer);
        if (refused != null) {
            LOG.infof("agent of node %s refused a connection: %s", nodeId, refused);
            socket.close();
            return;
        }
        try {
            ServedConnection served = api.serveExternal(socket, apiLimits(), limits.requests(peer), AgentPeers.of(socket), closed -> {
                limits.closed(peer);
                connections.remove(closed);
            });
            connections.put(served, new ConnectedClient(peer, cert, socket));
        } catch (AcpException e) {
            limits.closed(peer);
            socket.close();
        }
    }

    /** The local API's connection handling, under the agent's limits. */
    private ApiConfig apiLimits() {
        return new ApiConfig() {
            @Override
            public Path socket() {
                return null;
            }

            @Override
            public String host() {
                return config.host();
            }

            @Override
            public int port() {
                return AgentService.this.port();
            }

            @Override
            public int maxFrameBytes() {
                return config.maxFrameBytes();
            }

            @Override
            public Duration idleTimeout() {
                return config.idleTimeout();
            }

            @Override
            public int maxAuthFailures() {
                return config.maxAuthFailures();
            }

            @Override
            public int maxConnections() {
                return Integer.MAX_VALUE; // the agent's own per-client limits apply (ClientLimits)
            }

            @Override
            public int maxConnectionsPerPeer() {
                return config.maxConnectionsPerClient();
            }

            @Override
            public Tasks tasks() {
                return io.acp.api.TaskLimits.DEFAULTS; // not read: the API's own configuration keeps the task log
            }
        };
    }

    /**
     * Closes the open connections whose client certificate has been revoked since they were
     * accepted, and the links to nodes whose certificate has: a revocation takes effect on open
     * connections too, within about {@link RevocationList#REFRESH} of reaching this node. On a
     * worker: it reads the cluster state, so that new connections are checked by a lookup.
     */
    private void closeRevoked() {
        RevocationList list = revocations;
        list.refreshQuietly();
        for (Map.Entry<ServedConnection, ConnectedClient> c : connections.entrySet()) {
            X509Certificate cert = c.getValue().certificate();
            Optional<Revocation> r = cert == null ? Optional.empty() : list.knownRevocationOf(cert);
            if (r.isPresent() && connections.remove(c.getKey()) != null) {
                revokedRefusals.incrementAndGet();
                LOG.infof("agent of node %s closed the connection of %s from %s: its certificate (serial %s) is revoked: %s", nodeId,
                        NodeCertificates.describe(cert), c.getValue().address(), cert.getSerialNumber().toString(16), r.get().describe());
                c.getValue().socket().close();
            }
        }
        RemoteNodes r = remote;
        if (r != null) {
            r.closeRevoked();
        }
    }

    /** Connections refused or closed because their certificate was revoked, since start. */
    public long revokedRefusals() {
        return revokedRefusals.get();
    }

    /** Joins this node's join port refused since start; 0 when it admits no nodes. */
    public long joinRefusals() {
        JoinListener j = join;
        return j == null ? 0 : j.refusals();
    }

    private void renewIfDue() {
        worker.execute(() -> {
            try {
                if (renewal.check()) {
                    reloadCertificate().await().atMost(config.routeTimeout());
                }
            } catch (RuntimeException e) {
                LOG.warnf("node %s could not renew or reload its certificate: %s", nodeId, e.getMessage());
            }
        });
    }

    /**
     * Serves the key and certificate now in {@code pki/} to new connections, without a restart;
     * open connections keep the session they have.
     */
    public Uni<Void> reloadCertificate() {
        return Uni.createFrom().item(() -> {
                    renewal.serving(ClusterPki.checkNodeCertificate(pki, nodeId));
                    keys = NodeKeyManager.read(pki);
                    return Tls.server(keys, pki, config.tlsProtocols()).getSslOptions();
                })
                .runSubscriptionOn(worker)
                .chain(ssl -> {
                    List<Future<Boolean>> updates = new ArrayList<>();
                    updates.add(server.updateSSLOptions(ssl, true));
                    updates.add(client.updateSSLOptions(Tls.client(keys, pki, config.tlsProtocols(), 1000).getSslOptions(), true));
                    JoinListener j = join;
                    if (j != null) {
                        updates.add(j.updateSSLOptions(ssl));
                    }
                    return uni(Future.all(updates));
                })
                .invoke(() -> LOG.infof("agent of node %s serves its renewed certificate to new connections", nodeId));
    }

    @Override
    public Uni<Void> stop() {
        vertx.cancelTimer(renewalTimer);
        vertx.cancelTimer(revocationTimer);
        api.routeRemoteThrough(null);
        RemoteNodes r = remote;
        if (r != null) {
            r.closeAll();
        }
        List<Future<Void>> closing = new ArrayList<>();
        for (ServedConnection c : List.copyOf(connections.keySet())) {
            closing.add(c.shutdown());
        }
        NetServer s = server;
        NetClient c = client;
        JoinListener j = join;
        join = null;
        return uni(Future.join(closing))
                .chain(() -> uni(j == null ? Future.succeededFuture() : j.close()))
                .chain(() -> uni(s == null ? Future.succeededFuture() : s.close()))
                .chain(() -> uni(c == null ? Future.succeededFuture() : c.close()))
                .invoke(() -> {
                    server = null;
                    client = null;
                    remote = null;
                });
    }

    /** What this node publishes in its meta so other nodes can reach its agent. */
    @Override
    public Map<String, String> nodeMeta() {
        return server == null ? Map.of() : Map.of(RemoteNodes.ADDRESS_META, advertisedAddress());
    }

    /** The bound port; -1 when not listening. */
    public int port() {
        NetServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    /** The bound join port; -1 when this node does not admit nodes. */
    public int joinPort() {
        JoinListener j = join;
        return j == null ? -1 : j.port();
    }

    public int connectionCount() {
        return connections.size();
    }

    /** The way to other nodes' agents while running (tests send requests a real node would not). */
    RemoteNodes remote() {
        return remote;
    }

    String advertisedAddress() {
        if (config.advertise().isPresent()) {
            return config.advertise().get();
        }
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = io.acp.node.NodeIdentity.hostName();
        }
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    private static Uni<Void> uni(Future<?> future) {
        return Uni.createFrom().completionStage(future::toCompletionStage).replaceWithVoid();
    }
}
