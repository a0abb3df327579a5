package io.acp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.console.ByteEnd;
import io.acp.console.ConsoleEndpoints;
import io.acp.console.ConsoleKind;
import io.acp.console.HypervisorConsoles;
import io.acp.model.Json;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.node.ServiceDirectory;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.task.TaskLog;
import io.acp.task.TaskRetention;
import io.quarkus.arc.All;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The local API: the protocol of docs/protocol.md on a Unix socket (0660 in a 0750 directory) and
 * on a loopback-only TCP port. Remote clients reach a node through its agent, never through here.
 */
@ApplicationScoped
public class ApiService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(ApiService.class);

    private final ApiConfig config;
    private final String localNode;
    private final Path dataDir;
    private final Vertx vertx;
    private final Executor worker = Infrastructure.getDefaultWorkerPool();
    private final Dispatcher dispatcher;
    private final TaskLog taskLog;
    private final TaskRecorder recorder;
    private final Set<ApiConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile ConnectionShared shared;
    private volatile NetServer unixServer;
    private volatile NetServer tcpServer;
    /** True once this service bound the socket file: only then may stop remove it. */
    private volatile boolean socketBound;
    /** The agent's way to other nodes, also lent to services that call other nodes (the hypervisor's migrations). */
    private volatile RemoteRouter router;
    /** Where this node's systems' consoles are opened (the hypervisor's; a test may point elsewhere). */
    private volatile ConsoleEndpoints consoles;

    /**
     * @param operationSets every capability's operations, found by ArC at build time (no
     *     constructor here takes the services they reach)
     */
    @Inject
    public ApiService(ApiConfig config, NodeIdentity identity, ClusterService cluster, @All List<OperationSet> operationSets, Vertx vertx) {
        this(config, identity.id(), identity.dataDir(), cluster::cdb, operationSets, vertx);
    }

    /**
     * @param services what the operations reach on this node: the CDB, the hypervisor's systems,
     *     the network and storage services (each throws UNAVAILABLE while its service does not run)
     */
    public ApiService(ApiConfig config, String localNode, Path dataDir, LocalServices services, ServiceDirectory directory, Vertx vertx,
            String version) {
        this(config, localNode, dataDir, services.cdb(), services.operationSets(directory, version), vertx);
    }

    /**
     * @param cdb           where the task log keeps this node's tasks
     * @param operationSets the operations besides the API's own ({@code api}, {@code task},
     *     {@code console}); a service offered twice fails here, naming both offerers
     */
    public ApiService(ApiConfig config, String localNode, Path dataDir, Supplier<Cdb> cdb, List<? extends OperationSet> operationSets, Vertx vertx) {
        this.config = config;
        this.localNode = localNode;
        this.dataDir = dataDir;
        this.vertx = vertx;
        this.taskLog = new TaskLog(localNode, cdb, java.time.Clock.systemUTC(), new TaskRetention(config.tasks().maxCount(), config.tasks().maxAge()),
                worker);
        this.recorder = new TaskRecorder(taskLog);
        // a node whose sets offer no consoles answers as one without a hypervisor service
        this.consoles = new HypervisorConsoles(LocalServices.of(localNode, cdb).systems(), vertx, localNode);
        ApiContext api = new ApiContext(localNode, vertx, worker, () -> router, taskLog, recorder, endpoints -> this.consoles = endpoints);
        this.dispatcher = new Dispatcher(localNode, OperationCatalogue.collect(List.of(
                new ApiOperations(localNode),
                new TaskOperations(taskLog, worker),
                new ConsoleOperations(() -> consoles, vertx, localNode)), operationSets, api), recorder);
    }

    @Override
    public String name() {
        return "api";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().item(this::prepare)
                .runSubscriptionOn(worker)
                .chain(shared -> listenOnSocket(shared)
                        .emitOn(worker)
                        .invoke(() -> SocketFiles.restrict(config.socket()))
                        .chain(() -> listenOnTcp(shared)))
                .invoke(() -> LOG.infof("API listening on unix:%s and tcp:%s:%d", config.socket(), config.host(), tcpPort()));
    }

    /** Blocking checks and files before anything listens. */
    private ConnectionShared prepare() {
        SocketFiles.requireLoopback(config.host());
        if (!vertx.isNativeTransportEnabled()) {
            throw new IllegalStateException("the API's Unix socket needs Netty's native epoll transport "
                    + "(quarkus.vertx.prefer-native-transport=true): " + vertx.unavailableNativeTransportCause());
        }
        ApiKeyStore keys = ApiKeyStore.open(dataDir);
        closeInterruptedTasks();
        SocketFiles.prepare(config.socket());
        ConnectionShared s = new ConnectionShared(config, new RequestPipeline(localNode, keys,
                new AuthFailureLimiter(AuthFailureLimiter.DEFAULT_PER_SECOND), dispatcher), RequestGate.OPEN);
        shared = s;
        return s;
    }

    /**
     * Serves a connection another entry point accepted (the agent's TLS port) with the same
     * framing, keys and operations, under that entry point's {@code limits} (frame size, idle
     * timeout, failed authentications) and {@code gate} (request rate). Requests on it are not
     * routed on to other nodes.
     *
     * @param onClosed called once the connection is closed
     * @throws AcpException UNAVAILABLE while the API is not running
     */
    public ServedConnection serveExternal(NetSocket socket, ApiConfig limits, RequestGate gate, Consumer<ServedConnection> onClosed) {
        return serveExternal(socket, limits, gate, null, onClosed);
    }

    /**
     * As {@link #serveExternal(NetSocket, ApiConfig, RequestGate, Consumer)}, for a client that
     * showed certificate {@code peer}: a node's certificate may send routed requests on behalf of
     * their caller and call node-only operations; failed authentications count against the
     * certificate (or, without one, the address).
     */
    public ServedConnection serveExternal(NetSocket socket, ApiConfig limits, RequestGate gate, AgentPeer peer, Consumer<ServedConnection> onClosed) {
        ConnectionShared local = shared;
        if (local == null || tcpServer == null) {
            throw new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.UNAVAILABLE, "the API of node " + localNode + " is not running");
        }
        ConnectionShared external = new ConnectionShared(limits, local.pipeline().localOnly(), gate);
        String limitKey = peer != null ? peer.limitKey() : "addr:" + socket.remoteAddress().hostAddress();
        ApiConnection connection = new ApiConnection(socket, vertx.getOrCreateContext(), external, peer, limitKey, onClosed::accept);
        connection.start();
        return connection;
    }

    /**
     * The request pipeline of this node, for transports that frame requests their own way (the
     * WebSocket, REST): the same keys, failure limits, role table and routing as the API's own
     * connections.
     *
     * @throws AcpException UNAVAILABLE while the API is not running
     */
    public RequestPipeline pipeline() {
        return running().pipeline();
    }

    /** Tasks this node's record says ran here when it stopped are failed ("interrupted"); old ones are pruned. */
    private void closeInterruptedTasks() {
        try {
            int interrupted = taskLog.interrupted();
            int pruned = taskLog.prune();
            if (interrupted > 0 || pruned > 0) {
                LOG.infof("node %s: %d task(s) interrupted by its restart marked failed, %d old task(s) pruned", localNode, interrupted, pruned);
            }
        } catch (RuntimeException e) {
            // the task log never keeps the API from serving
            LOG.warnf("node %s: tasks not checked at start: %s", localNode, e.toString());
        }
    }

    /**
     * A new task id, for a transport that names a task before its work ends (REST's 202): set it
     * as the session's {@link Session#taskId()} for the request.
     */
    public String newTaskId() {
        return taskLog.newId();
    }

    private ConnectionShared running() {
        ConnectionShared local = shared;
        if (local == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "the API of node " + localNode + " is not running");
        }
        return local;
    }

    /** Requests naming another node go through {@code router} (null: they are refused as unreachable). */
    /** Opens this node's consoles through {@code endpoints} instead of the hypervisor's (tests). */
    public void openConsolesThrough(ConsoleEndpoints endpoints) {
        this.consoles = endpoints;
    }

    /**
     * Console {@code kind} of system {@code id} on node {@code node} (null: this one) for
     * {@code who}, who must be operator or admin: opened here, or through node {@code node}'s agent
     * ({@code console.attach}), which checks the caller again. {@code idle} travels with it.
     */
    public Uni<ByteEnd> openConsole(String node, String id, ConsoleKind kind, ApiIdentity who, Duration idle) {
        if (!who.role().mayWrite()) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.FORBIDDEN, "rule roles: a console needs operator or admin (it types into "
                    + "the system); key '" + who.name() + "' has role " + who.role().wireName() + " (see the role table in docs/security.md)"));
        }
        if (node == null || node.equals(localNode)) {
            return consoles.open(id, kind);
        }
        RemoteRouter r = router;
        if (r == null) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " is not reachable from node " + localNode
                    + ": this node runs no agent (add 'agent' to acp.node.services)"));
        }
        ObjectNode args = Json.object().put("id", id).put("kind", kind.wireName())
                .put("idleSeconds", Math.max(1, idle.toSeconds()));
        return r.attach(new Request(1, node, "console", "attach", args, null, new Request.Caller(who.name(), who.role().wireName())));
    }

    public void routeRemoteThrough(RemoteRouter router) {
        this.router = router;
        dispatcher.routeRemoteThrough(router);
    }

    /**
     * Whether a request this node routes is a job its service declares ({@link ServiceOperations#jobs()}):
     * every node runs the same code, so this node's declaration holds for the node the request names.
     */
    public boolean runsAsJob(Request request) {
        return dispatcher.runsAsJob(request);
    }

    /** Every operation this node's API offers, by service. */
    public java.util.Map<String, List<String>> operations() {
        return dispatcher.operations();
    }

    public String localNode() {
        return localNode;
    }

    private Uni<Void> listenOnSocket(ConnectionShared shared) {
        ConnectionLimits limits = new ConnectionLimits("unix:" + config.socket(), config.maxConnections(), config.maxConnectionsPerPeer());
        NetServer server = vertx.createNetServer(new NetServerOptions()).connectHandler(socket -> accept(socket, shared, limits, PeerCredentials.uidKey(socket)));
        unixServer = server;
        return uni(server.listen(SocketAddress.domainSocketAddress(config.socket().toString())))
                .invoke(() -> socketBound = true);
    }

    private Uni<Void> listenOnTcp(ConnectionShared shared) {
        ConnectionLimits limits = new ConnectionLimits("tcp:" + config.host() + ":" + config.port(), config.maxConnections(),
                config.maxConnectionsPerPeer());
        NetServer server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true))
                .connectHandler(socket -> accept(socket, shared, limits, "addr:" + socket.remoteAddress().hostAddress()));
        tcpServer = server;
        return uni(server.listen(config.port(), config.host()));
    }

    private void accept(NetSocket socket, ConnectionShared shared, ConnectionLimits limits, String peer) {
        String refused = limits.admit(peer);
        if (refused != null) {
            LOG.debugf("API of node %s refused a connection: %s", localNode, refused);
            socket.close();
            return;
        }
        ApiConnection connection = new ApiConnection(socket, vertx.getOrCreateContext(), shared, null, peer, c -> {
            limits.closed(peer);
            connections.remove(c);
        });
        connections.add(connection);
        connection.start();
    }

    /** Ends every stream with {@code end}, closes every connection and both listeners, removes the socket. */
    @Override
    public Uni<Void> stop() {
        List<Future<Void>> closing = new ArrayList<>();
        for (ApiConnection c : List.copyOf(connections)) {
            closing.add(c.shutdown());
        }
        return uni(Future.join(closing).mapEmpty())
                .chain(() -> uni(close(unixServer)))
                .chain(() -> uni(close(tcpServer)))
                .emitOn(worker)
                .invoke(() -> {
                    shared = null;
                    unixServer = null;
                    tcpServer = null;
                    if (socketBound) {
                        socketBound = false;
                        SocketFiles.remove(config.socket());
                    }
                });
    }

    /** The bound TCP port (the configured one, or the one picked for port 0); -1 when not listening. */
    public int tcpPort() {
        NetServer server = tcpServer;
        return server == null ? -1 : server.actualPort();
    }

    public Path socketPath() {
        return config.socket();
    }

    /** Open client connections (for tests and health). */
    public int connectionCount() {
        return connections.size();
    }

    private static Future<Void> close(NetServer server) {
        return server == null ? Future.succeededFuture() : server.close();
    }

    private static Uni<Void> uni(Future<?> future) {
        return Uni.createFrom().completionStage(future::toCompletionStage).replaceWithVoid();
    }
}
