package io.acp.webapi;

import io.acp.api.Admission;
import io.acp.api.ApiIdentity;
import io.acp.api.Credential;
import io.acp.api.ApiService;
import io.acp.node.Health;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Vertx;
import io.acp.cluster.service.ClusterService;
import io.acp.security.PkiFiles;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The WebAPI: the request protocol over a WebSocket at {@code /api/ws}, and the web UI's static
 * files, on the node's HTTP listener. The listener itself belongs to Quarkus and exists only in
 * {@code acp node run} with this service configured ({@link HttpSwitch}); while this service is not
 * running, upgrades are refused with 503 ({@link UpgradeGate}).
 */
@ApplicationScoped
public class WebApiService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(WebApiService.class);
    static final String PATH = "/api/ws";

    private final WebApiConfig config;
    private final ApiService api;
    private final Vertx vertx;
    private final String localNode;
    private final Path dataDir;
    private volatile SessionTokens tokens;
    private final OriginPolicy origins;
    private final Map<String, WebSession> sessions = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile long sweepTimer = -1;
    private final OpenConsoles consoles;

    private final HttpsListener https;
    private final ClusterService cluster;

    @Inject
    public WebApiService(WebApiConfig config, ApiService api, NodeIdentity identity, Vertx vertx, HttpsListener https, ClusterService cluster) {
        this.config = config;
        this.https = https;
        this.cluster = cluster;
        this.api = api;
        this.vertx = vertx;
        this.localNode = identity.id();
        this.dataDir = identity.dataDir();
        this.origins = new OriginPolicy(config.allowedOrigins());
        this.consoles = new OpenConsoles(this, vertx);
    }

    @Override
    public String name() {
        return "webapi";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("api");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().item(() -> SessionTokens.loadSecret(dataDir))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .invoke(secret -> {
                    tokens = new SessionTokens(secret, config.sessionTtl(), Clock.systemUTC(), dataDir.resolve(SessionTokens.REVOKED_FILE));
                    sweepTimer = vertx.setPeriodic(60_000, t -> tokens.sweep());
                    running = true;
                    LOG.infof("WebAPI of node %s serving the web UI on http://%s:%d/ and the WebSocket on %s", localNode, config.host(),
                            config.port(), PATH);
                })
                .chain(started -> config.httpsPort() < 0
                        ? Uni.createFrom().voidItem()
                        : https.start(vertx, localNode, PkiFiles.in(dataDir), cluster::cdb, config.httpsHost(), config.httpsPort()))
                .replaceWithVoid();
    }

    /** Ends every stream, closes every WebSocket (1001) and forgets every session token. */
    @Override
    public Uni<Void> stop() {
        running = false;
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
            sweepTimer = -1;
        }
        for (WebSession s : List.copyOf(sessions.values())) {
            s.shutdown();
        }
        consoles.closeAll();
        return https.stop(vertx);
    }

    @Override
    public Map<String, String> nodeMeta() {
        int httpsPort = https.port();
        if (httpsPort > 0) {
            return Map.of("webui", "http://" + config.host() + ":" + config.port() + "/",
                    "webui-https", "https://" + config.httpsHost() + ":" + httpsPort + "/");
        }
        return Map.of("webui", "http://" + config.host() + ":" + config.port() + "/");
    }

    @Override
    public Health health() {
        return new Health(true, sessions.size() + " WebSocket connections, " + consoles.count() + " consoles");
    }

    boolean running() {
        return running;
    }

    boolean originPermitted(String origin, String listenHost, int listenPort) {
        return origins.permits(origin, listenHost, listenPort);
    }

    // ---- connections (called by the endpoint on the connection's event loop) ----------------------

    void opened(WebSocketConnection connection) {
        if (!running) {
            connection.close(new CloseReason(1013, "the WebAPI of node " + localNode + " is not running"))
                    .subscribe().with(ok -> { }, failure -> { });
            return;
        }
        WebSession session = new WebSession(connection, Vertx.currentContext(), this);
        sessions.put(connection.id(), session);
        session.opened();
    }

    void message(WebSocketConnection connection, String text) {
        WebSession session = sessions.get(connection.id());
        if (session != null) {
            session.message(text);
        }
    }

    void failed(WebSocketConnection connection, Throwable failure) {
        WebSession session = sessions.get(connection.id());
        if (failure instanceof IllegalStateException && String.valueOf(failure.getMessage()).contains("max message size")) {
            if (session != null) {
                session.tooLarge();
            }
            return;
        }
        LOG.warnf("WebSocket %s on node %s failed: %s", connection.id(), localNode, failure.toString());
        connection.close(new CloseReason(1011, "internal error")).subscribe().with(ok -> { }, f -> { });
    }

    void closed(WebSocketConnection connection) {
        WebSession session = sessions.remove(connection.id());
        if (session != null) {
            session.closed();
        }
    }

    /** Open WebSocket connections (for tests and health). */
    public int connectionCount() {
        return sessions.size();
    }

    // ---- what sessions share ----------------------------------------------------------------------

    OpenConsoles consoles() {
        return consoles;
    }

    /** Consoles open now (for tests and health). */
    public int consoleCount() {
        return consoles.count();
    }

    /** A WebSocket credential that authenticated: who it is, the key it is or stands for, and the token it was (or null). */
    record Authenticated(ApiIdentity identity, String key, SessionTokens.Opened token) {
        @Override
        public String toString() {
            return "Authenticated[" + identity.name() + "]"; // never the key
        }
    }

    /**
     * Who {@code credential} (a session token or an API key) is, by the API's request pipeline: a
     * token yields its key, which is checked like any key (a removed key ends its sessions); an
     * unknown token goes the key's way too, with the same answer. Failures count against the client
     * address {@code remote} under the node's one limit of failed authentications.
     *
     * @throws io.acp.protocol.AcpException as the pipeline refuses it (unauthorized, rate_limited), or UNAVAILABLE while the API is not running
     */
    Authenticated authenticate(String credential, String remote) {
        SessionTokens.Opened opened = tokens.open(credential); // null unless a valid token
        String key = opened != null ? opened.key() : credential;
        Admission admission = api.pipeline().authenticate(new Credential.Key(key, "addr:" + remote));
        if (admission instanceof Admission.Refused refused) {
            throw refused.error();
        }
        return new Authenticated(((Admission.Admitted) admission).identity(), key, opened);
    }

    WebApiConfig config() {
        return config;
    }

    ApiService api() {
        return api;
    }

    SessionTokens tokens() {
        return tokens;
    }

    /** Where this node's admin key is, for the login hint (the path only; the file is the node owner's). */
    java.nio.file.Path adminKeyFile() {
        return dataDir.resolve("admin.key").toAbsolutePath();
    }

    String localNode() {
        return localNode;
    }
}
