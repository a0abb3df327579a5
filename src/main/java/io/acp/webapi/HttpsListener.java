package io.acp.webapi;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectType;
import io.acp.security.NodeCertificates;
import io.acp.security.PeerCertificates;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.security.RevocationList;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.acp.security.NodeKeyManager;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The web listener's HTTPS twin ({@code acp.webapi.https-port}): the same routes (REST API, web
 * UI, WebSocket, metrics) served over TLS with the node's own certificate, asking every client for a
 * certificate of the cluster CA. A REST client may then authenticate by its operator certificate
 * ({@code acp cluster add-operator}) instead of a key. A client without a certificate is served as
 * on the HTTP listener (API key); a certificate that is a node's, not an operator's, or is revoked is
 * refused before the request reaches any route, so the routes may believe any certificate they see
 * here. Its own Vert.x server rather than Quarkus's HTTPS port: the node's PKI exists only once the
 * node is initialised (Quarkus would fail to start before), it binds an address of its own (the HTTP
 * listener stays on loopback), and it serves renewed certificates without a restart.
 */
@ApplicationScoped
public class HttpsListener {

    private static final Logger LOG = Logger.getLogger(HttpsListener.class);
    private static final Set<String> PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");
    /** How often the certificate file is checked for a renewal. */
    private static final long RELOAD_CHECK_MS = 60_000;
    private static final java.util.concurrent.Executor WORKER = io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool();

    private volatile Router router;
    private volatile HttpServer server;
    private volatile RevocationList revocations;
    private volatile long reloadTimer = -1;
    private volatile long revocationTimer = -1;
    private volatile FileTime servedCertificate;

    void routes(@Observes Router router) {
        this.router = router;
    }

    /**
     * Starts serving on {@code host:port} (port 0: any free port) with the certificate in
     * {@code pki}; revocations are read from {@code cdb}'s security objects.
     */
    Uni<Void> start(Vertx vertx, String nodeId, PkiFiles pki, Supplier<Cdb> cdb, String host, int port) {
        Router routes = router;
        if (routes == null) {
            return Uni.createFrom().failure(new IllegalStateException("acp.webapi.https-port is set on node " + nodeId
                    + ", but this process has no HTTP routes (the web listener is off): HTTPS needs the webapi service of acp node run"));
        }
        return Uni.createFrom().item(() -> {
                    if (!io.acp.security.ClusterPki.initialised(pki)) {
                        throw new IllegalStateException("acp.webapi.https-port is set on node " + nodeId + ", but the node has no certificate in "
                                + pki.nodeCertificate().getParent() + " yet: HTTPS serves the node's cluster certificate (acp cluster init, or join)");
                    }
                    RevocationList list = new RevocationList(nodeId, Pem.readCertificate(pki.caCertificate()),
                            () -> cdb.get().objects(ObjectQuery.ofType(ObjectType.SECURITY)));
                    list.refresh(); // before the first request: admitting one only looks the list up
                    revocations = list;
                    servedCertificate = modified(pki.nodeCertificate());
                    return options(pki);
                })
                .runSubscriptionOn(WORKER)
                .chain(options -> {
                    HttpServer s = vertx.createHttpServer(options).requestHandler(request -> admit(request, routes));
                    server = s;
                    return Uni.createFrom().completionStage(s.listen(port, host).toCompletionStage());
                })
                .invoke(s -> {
                    reloadTimer = vertx.setPeriodic(RELOAD_CHECK_MS, t -> reloadIfRenewed(vertx, pki));
                    // Off the event loop: reading the security objects and checking their signatures may block.
                    revocationTimer = vertx.setPeriodic(RevocationList.REFRESH.toMillis(), t -> WORKER.execute(revocations::refreshQuietly));
                    LOG.infof("WebAPI of node %s serving HTTPS with client certificates on https://%s:%d/", nodeId, host, s.actualPort());
                })
                .replaceWithVoid();
    }

    /** The port served, or -1 when not serving. */
    public int port() {
        HttpServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    Uni<Void> stop(Vertx vertx) {
        if (reloadTimer >= 0) {
            vertx.cancelTimer(reloadTimer);
            reloadTimer = -1;
        }
        if (revocationTimer >= 0) {
            vertx.cancelTimer(revocationTimer);
            revocationTimer = -1;
        }
        HttpServer s = server;
        server = null;
        return s == null ? Uni.createFrom().voidItem() : Uni.createFrom().completionStage(s.close().toCompletionStage());
    }

    /** Hands the request to the routes unless its client certificate may not call here. */
    private void admit(HttpServerRequest request, Router routes) {
        X509Certificate client = PeerCertificates.leaf(request.isSSL() ? request.sslSession() : null);
        String refusal = client == null ? null : refusal(client);
        if (refusal == null) {
            routes.handle(request);
            return;
        }
        request.response()
                .setStatusCode(403)
                .putHeader("Content-Type", "application/problem+json")
                .end(io.acp.model.Json.object()
                        .put("type", "urn:acp:error:forbidden")
                        .put("title", "Not allowed for this client certificate")
                        .put("status", 403)
                        .put("detail", refusal)
                        .put("code", "forbidden")
                        .put("retryable", false)
                        .toString());
    }

    /** Why this verified certificate may not call the node's HTTPS listener, or null if it may. */
    private String refusal(X509Certificate client) {
        if (NodeCertificates.operatorName(client) == null || NodeCertificates.operatorRole(client) == null) {
            return "the client certificate of " + NodeCertificates.describe(client)
                    + " is not an operator certificate (acp cluster add-operator); nodes and other holders use an API key here";
        }
        RevocationList list = revocations;
        if (list != null && list.knownRevoked(client)) { // a lookup: the list is refreshed on a worker
            return "the client certificate of " + NodeCertificates.describe(client) + " is revoked (acp cluster revoke)";
        }
        return null;
    }

    private static HttpServerOptions options(PkiFiles pki) {
        return new HttpServerOptions()
                .setSsl(true)
                // REQUEST, not REQUIRED: a client with only the CA (curl with an API key) is served too
                .setClientAuth(ClientAuth.REQUEST)
                .setKeyCertOptions(KeyCertOptions.wrap(NodeKeyManager.read(pki))) // no PKCS12 round trip (NodeKeyManager says why)
                .setTrustOptions(new PemTrustOptions().addCertPath(pki.caCertificate().toString()))
                .setSslHandshakeTimeout(10)
                .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
                .setEnabledSecureTransportProtocols(PROTOCOLS);
    }

    private void reloadIfRenewed(Vertx vertx, PkiFiles pki) {
        vertx.executeBlocking(() -> {
            FileTime now = modified(pki.nodeCertificate());
            if (now != null && !now.equals(servedCertificate)) {
                HttpServer s = server;
                if (s != null) {
                    s.updateSSLOptions(options(pki).getSslOptions());
                    servedCertificate = now;
                    LOG.infof("WebAPI HTTPS serves the renewed certificate %s", pki.nodeCertificate());
                }
            }
            return null;
        }, false);
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
