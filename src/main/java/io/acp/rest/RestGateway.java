package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.Admission;
import io.acp.api.ApiService;
import io.acp.api.Outcome;
import io.acp.api.Credential;
import io.acp.cluster.service.ClusterService;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.security.NodeCertificates;
import io.acp.security.PeerCertificates;
import java.security.cert.X509Certificate;
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
 * {@link Request} to the API's request pipeline ({@link io.acp.api.RequestPipeline}) — the same operations,
 * role checks and routing to other nodes as the Unix socket, the agent and the WebSocket. Nothing
 * here performs an operation itself.
 */
@ApplicationScoped
public class RestGateway {

    private static final String BEARER = "bearer ";

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
        Credential credential = credential(authorization);
        return Uni.createFrom().deferred(() -> {
            RestSession session = admit(credential);
            // The key stays here: a request routed on to another node carries the caller, never the key.
            Request request = new Request(ids.incrementAndGet(), target(node), service, op, args, null);
            return single(api.pipeline().dispatch(request, session), service + "." + op + " answers a stream, which REST does not carry: "
                    + "use the WebSocket or the CLI");
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
        Credential credential = credential(authorization);
        return Uni.createFrom().deferred(() -> {
            RestSession caller = admit(credential);
            String task = api.newTaskId();
            Outcome outcome = api.pipeline().dispatch(new Request(ids.incrementAndGet(), target(node), service, op, args, null), caller.asTask(task));
            // The work's outcome is recorded in the task; nobody waits for it here.
            single(outcome, service + "." + op + " answers a stream, which REST does not carry").subscribe().with(done -> { }, failed -> { });
            Outcome shown = api.pipeline().dispatch(new Request(ids.incrementAndGet(), null, "task", "show", Call.id(task), null), caller);
            return ((Outcome.Single) shown).result()
                    .map(t -> jakarta.ws.rs.core.Response.accepted(t)
                            .location(java.net.URI.create(RestPaths.ROOT + "/tasks/" + task))
                            .build());
        });
    }

    private static String target(String node) {
        return node == null || node.isBlank() ? null : node;
    }

    private static Uni<JsonNode> single(Outcome outcome, String streamRefusal) {
        if (!(outcome instanceof Outcome.Single single)) {
            throw AcpException.badRequest(streamRefusal);
        }
        return single.result();
    }

    /** The identity behind {@code Authorization: Bearer <key>} (or the client certificate) of the current HTTP request; UNAUTHORIZED without one. */
    public RestSession authenticate(String authorization) {
        return session(api.pipeline().authenticate(credential(authorization)));
    }

    /** Authenticate, then the caller's rate: the request pipeline's first steps, in REST's order. */
    private RestSession admit(Credential credential) {
        return session(api.pipeline().admit(credential, who -> rates.of(who.name())));
    }

    private static RestSession session(Admission admission) {
        if (admission instanceof Admission.Refused refused) {
            throw refused.error();
        }
        return new RestSession(((Admission.Admitted) admission).identity());
    }

    /**
     * What the current HTTP request presents: its operator certificate when it sends no
     * Authorization header, else the bearer key. Only the node's HTTPS listener
     * (io.acp.webapi.HttpsListener) carries client certificates: its handshake verified the
     * certificate against the cluster CA and it refused, before any route, every certificate that
     * is not an unrevoked operator certificate. Failed keys count against the client address (as on
     * the API's TCP port and the WebSocket), so one flooder never locks out another.
     */
    private Credential credential(String authorization) {
        RoutingContext rc = currentRequest.getCurrent();
        if (authorization == null && rc != null) {
            X509Certificate cert = PeerCertificates.leaf(rc.request().isSSL() ? rc.request().sslSession() : null);
            if (cert != null && NodeCertificates.operatorName(cert) != null && NodeCertificates.operatorRole(cert) != null) {
                return new Credential.OperatorCertificate(cert);
            }
        }
        SocketAddress remote = rc == null ? null : rc.request().remoteAddress();
        return new Credential.Key(bearer(authorization), "addr:" + (remote == null ? "unknown" : remote.hostAddress()));
    }

    private static String bearer(String authorization) {
        if (authorization != null && authorization.length() > BEARER.length()
                && authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return authorization.substring(BEARER.length()).trim();
        }
        return null;
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
