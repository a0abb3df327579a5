package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.ApiIdentity;
import io.acp.api.ApiService;
import io.acp.api.Outcome;
import io.acp.api.RequestGate;
import io.acp.cluster.service.ClusterService;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.security.NodeCertificates;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The REST API's one way into the node: authenticates the bearer key (under the node-wide limit on
 * failed authentications), admits the request under the key's rate, and hands a protocol
 * {@link Request} to the API's dispatcher ({@link ApiService#dispatch}) — the same operations,
 * role checks and routing to other nodes as the Unix socket, the agent and the WebSocket. Nothing
 * here performs an operation itself.
 */
@ApplicationScoped
public class RestGateway {

    private static final String BEARER = "bearer ";
    /** Identities from operator certificates are named {@code cert:<name>}, so the task log tells them from API keys. */
    static final String CERTIFICATE_PREFIX = "cert:";

    private final ApiService api;
    private final ClusterService cluster;
    private final RestConfig config;
    private final CurrentVertxRequest currentRequest;
    private final KeyRates rates;
    private final AtomicLong ids = new AtomicLong();

    @Inject
    public RestGateway(ApiService api, ClusterService cluster, RestConfig config, CurrentVertxRequest currentRequest) {
        this.api = api;
        this.currentRequest = currentRequest;
        this.cluster = cluster;
        this.config = config;
        this.rates = new KeyRates(config.requestsPerSecond(), config.requestBurst());
    }

    /**
     * Runs {@code service.op} with {@code args} for the caller of {@code authorization}, on
     * {@code node} (null: this node). Fails with an {@link AcpException} the resources answer as a problem.
     */
    public Uni<JsonNode> call(String authorization, String node, String service, String op, ObjectNode args) {
        String peerAddress = peerAddress();
        return Uni.createFrom().deferred(() -> {
            RestSession session = authenticate(authorization, peerAddress);
            RequestGate gate = rates.of(session.identity().name());
            if (!gate.admit()) {
                throw new AcpException(ErrorCode.RATE_LIMITED, gate.refusal());
            }
            String target = node == null || node.isBlank() ? null : node;
            // The key stays here: a request routed on to another node carries the caller, never the key.
            Request request = new Request(ids.incrementAndGet(), target, service, op, args, null);
            Outcome outcome = api.dispatch(request, session);
            if (!(outcome instanceof Outcome.Single single)) {
                throw AcpException.badRequest(service + "." + op + " answers a stream, which REST does not carry: use the WebSocket or the CLI");
            }
            return single.result();
        })
                .ifNoItem()
                .after(config.timeout())
                .failWith(() -> new AcpException(ErrorCode.TIMEOUT, service + "." + op + " did not answer within " + config.timeout()
                        + " (acp.rest.timeout); it may still complete"));
    }

    /**
     * Starts a long operation ({@code service.op}, as {@link #call}) as a task and answers at once
     * with {@code 202 Accepted}, {@code Location: /api/v1/tasks/<id>} and the task as it stands; the
     * work goes on, and its outcome is the task's (poll the location). Refusals the dispatcher
     * makes before any work starts (authentication, rate, role, an unknown node) are answered as
     * problems, as {@link #call} answers them.
     */
    public Uni<jakarta.ws.rs.core.Response> start(String authorization, String node, String service, String op, ObjectNode args) {
        String peerAddress = peerAddress();
        return Uni.createFrom().deferred(() -> {
            RestSession caller = authenticate(authorization, peerAddress);
            RequestGate gate = rates.of(caller.identity().name());
            if (!gate.admit()) {
                throw new AcpException(ErrorCode.RATE_LIMITED, gate.refusal());
            }
            String task = api.newTaskId();
            RestSession session = caller.asTask(task);
            String target = node == null || node.isBlank() ? null : node;
            Outcome outcome = api.dispatch(new Request(ids.incrementAndGet(), target, service, op, args, null), session);
            if (!(outcome instanceof Outcome.Single single)) {
                throw AcpException.badRequest(service + "." + op + " answers a stream, which REST does not carry");
            }
            // The work's outcome is recorded in the task; nobody waits for it here.
            single.result().subscribe().with(done -> { }, failed -> { });
            Outcome shown = api.dispatch(new Request(ids.incrementAndGet(), null, "task", "show", Call.id(task), null), caller);
            return ((Outcome.Single) shown).result()
                    .map(t -> jakarta.ws.rs.core.Response.accepted(t)
                            .location(java.net.URI.create(RestPaths.ROOT + "/tasks/" + task))
                            .build());
        });
    }

    /** The identity behind {@code Authorization: Bearer <key>} of the current HTTP request; UNAUTHORIZED without one. */
    public RestSession authenticate(String authorization) {
        return authenticate(authorization, peerAddress());
    }

    /**
     * The address the current HTTP request came from: failed authentications are limited per
     * client address (as on the API's TCP port and the WebSocket), so one flooder never locks out another.
     */
    private String peerAddress() {
        RoutingContext rc = currentRequest.getCurrent();
        SocketAddress remote = rc == null ? null : rc.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }

    private RestSession authenticate(String authorization, String peerAddress) {
        String key = null;
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            key = authorization.substring(BEARER.length()).trim();
        }
        if (authorization == null) {
            ApiIdentity operator = certificateIdentity();
            if (operator != null) {
                return new RestSession(operator);
            }
        }
        ApiIdentity identity = api.authenticate(key, peerAddress);
        return new RestSession(identity);
    }

    /**
     * The operator behind the current request's client certificate, or null. Only the node's HTTPS
     * listener (io.acp.webapi.HttpsListener) carries client certificates: its handshake verified the
     * certificate against the cluster CA and it refused, before any route, every certificate that
     * is not an unrevoked operator certificate. An Authorization header, when sent, decides instead.
     */
    private ApiIdentity certificateIdentity() {
        RoutingContext rc = currentRequest.getCurrent();
        if (rc == null || !rc.request().isSSL() || rc.request().sslSession() == null) {
            return null;
        }
        java.security.cert.X509Certificate cert;
        try {
            java.security.cert.Certificate[] chain = rc.request().sslSession().getPeerCertificates();
            cert = chain.length > 0 && chain[0] instanceof java.security.cert.X509Certificate x ? x : null;
        } catch (javax.net.ssl.SSLPeerUnverifiedException none) {
            return null;
        }
        String name = cert == null ? null : NodeCertificates.operatorName(cert);
        String role = cert == null ? null : NodeCertificates.operatorRole(cert);
        if (name == null || role == null) {
            return null;
        }
        try {
            return new ApiIdentity(CERTIFICATE_PREFIX + name, io.acp.api.Role.parse(role));
        } catch (IllegalArgumentException unknownRole) {
            throw new AcpException(ErrorCode.UNAUTHORIZED, "the operator certificate of " + name + " names role '" + role
                    + "', which this node does not know; expected admin, operator or read-only");
        }
    }

    /**
     * The node that owns an object: {@code explicit} if the client named one, else the node its
     * spec names ({@code spec.node}: where a system runs, where a device is), else null (this node).
     * A read of this node's CDB only; the operation still runs on the owner, through the dispatcher.
     */
    public String owner(String explicit, ObjectType type, String id) {
        if (explicit != null && !explicit.isBlank()) {
            return explicit;
        }
        if (id == null || !cluster.running()) {
            return null;
        }
        try {
            return cluster.cdb().object(ObjectKey.of(type, id))
                    .map(e -> e.spec().path("node").asText(null))
                    .orElse(null);
        } catch (IllegalArgumentException | AcpException badIdOrStopped) {
            return null; // the operation itself answers a bad id or a stopped cluster with its own error
        }
    }

    /** The subtype an object has in this node's CDB (what an update keeps unless it names another), or null. */
    public String subtypeOf(ObjectType type, String id) {
        if (!cluster.running()) {
            return null;
        }
        try {
            return cluster.cdb().object(ObjectKey.of(type, id)).map(e -> e.subtype()).orElse(null);
        } catch (IllegalArgumentException | AcpException badIdOrStopped) {
            return null;
        }
    }
}
