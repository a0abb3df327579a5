package io.acp.api;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.security.NodeCertificates;
import java.security.cert.X509Certificate;
import java.util.function.Function;

/**
 * The one path of a request on every transport: <b>gate</b> (the transport's request rate) →
 * <b>authenticate</b> (the {@link Credential} the transport found) → <b>authorize</b> (the role
 * table, {@link Permissions}) → <b>dispatch</b> (this node's operations, or routed to the node the
 * request names). The Unix socket and loopback port ({@link ApiConnection}), the agent (the same
 * connections under its limits), the WebSocket and REST all call these steps; they keep only their
 * framing and what they do with a refusal (answer it, count it, close). Keys are checked under one
 * limiter of failed authentications per peer, shared by every transport of the node.
 */
public final class RequestPipeline {

    /** Identities from operator certificates are named {@code cert:<name>}, so the task log tells them from API keys. */
    public static final String CERTIFICATE_PREFIX = "cert:";

    private final String localNode;
    private final ApiKeyStore keys;
    private final AuthFailureLimiter limiter;
    private final Dispatcher dispatcher;

    RequestPipeline(String localNode, ApiKeyStore keys, AuthFailureLimiter limiter, Dispatcher dispatcher) {
        this.localNode = localNode;
        this.keys = keys;
        this.limiter = limiter;
        this.dispatcher = dispatcher;
    }

    /** The same keys and failure limits, refusing requests for other nodes (requests that already took a hop, through the agent). */
    RequestPipeline localOnly() {
        return new RequestPipeline(localNode, keys, limiter, dispatcher.localOnly());
    }

    /** Gate, then authenticate: for a transport whose rate belongs to a connection or a client address. */
    public Admission admit(RequestGate gate, Credential credential) {
        if (!gate.admit()) {
            return new Admission.Refused(Admission.Reason.RATE, new AcpException(ErrorCode.RATE_LIMITED, gate.refusal()));
        }
        return authenticate(credential);
    }

    /**
     * Authenticate, then the caller's gate: for a transport without connections (REST), whose rate
     * belongs to the caller; a request that does not authenticate takes nothing from anyone's rate.
     */
    public Admission admit(Credential credential, Function<ApiIdentity, RequestGate> gateOf) {
        Admission admission = authenticate(credential);
        if (admission instanceof Admission.Admitted admitted) {
            RequestGate gate = gateOf.apply(admitted.identity());
            if (!gate.admit()) {
                return new Admission.Refused(Admission.Reason.RATE, new AcpException(ErrorCode.RATE_LIMITED, gate.refusal()));
            }
        }
        return admission;
    }

    /** Who {@code credential} is, or why it is refused. */
    public Admission authenticate(Credential credential) {
        if (credential instanceof Credential.Established established) {
            return new Admission.Admitted(established.identity());
        }
        if (credential instanceof Credential.Key key) {
            return key(key);
        }
        if (credential instanceof Credential.Vouched vouched) {
            return vouched(vouched);
        }
        return operator(((Credential.OperatorCertificate) credential).certificate());
    }

    /** A key, checked only while its peer has failures left (so guessing costs the guesser time and the node no hashing). */
    private Admission key(Credential.Key key) {
        if (!limiter.mayAttempt(key.peer())) {
            return new Admission.Refused(Admission.Reason.TOO_MANY_FAILURES, new AcpException(ErrorCode.RATE_LIMITED,
                    "too many failed authentications from " + key.peer() + " on node " + localNode + "; retry in a second"));
        }
        try {
            return new Admission.Admitted(keys.authenticate(key.key()));
        } catch (AcpException e) {
            limiter.failed(key.peer());
            return new Admission.Refused(Admission.Reason.WRONG_CREDENTIAL, e);
        }
    }

    /** A routed request's caller: believed only on a connection whose client certificate is a node's; it runs as that caller. */
    private static Admission vouched(Credential.Vouched vouched) {
        AgentPeer peer = vouched.peer();
        if (peer == null || !peer.node()) {
            return new Admission.Refused(Admission.Reason.NOT_A_NODE, new AcpException(ErrorCode.FORBIDDEN, "rule node-only: a request 'as' "
                    + "another caller is accepted only from a node certificate on the agent"
                    + (peer == null ? "" : "; certificate '" + peer.name() + "' is not a node's")));
        }
        try {
            Role role = Role.parse(vouched.caller().role());
            return new Admission.Admitted(new ApiIdentity(vouched.caller().name(), role, peer.name()));
        } catch (IllegalArgumentException e) {
            return new Admission.Refused(Admission.Reason.BAD_CALLER, new AcpException(ErrorCode.BAD_REQUEST,
                    "request from node " + peer.name() + ": " + e.getMessage()));
        }
    }

    /** The operator an operator certificate names, with the role it names. */
    private static Admission operator(X509Certificate cert) {
        String name = NodeCertificates.operatorName(cert);
        String role = NodeCertificates.operatorRole(cert);
        try {
            return new Admission.Admitted(new ApiIdentity(CERTIFICATE_PREFIX + name, Role.parse(role)));
        } catch (IllegalArgumentException unknownRole) {
            return new Admission.Refused(Admission.Reason.WRONG_CREDENTIAL, new AcpException(ErrorCode.UNAUTHORIZED, "the operator "
                    + "certificate of " + name + " names role '" + role + "', which this node does not know; expected admin, operator or read-only"));
        }
    }

    /**
     * Authorize, then dispatch: the role table decides before anything runs or is routed.
     *
     * @throws AcpException {@code unknown_service} or {@code forbidden} (nothing ran), or as the operation's own checks do
     */
    public Outcome dispatch(Request request, Session session) {
        dispatcher.authorize(request, session);
        return dispatcher.route(request, session);
    }
}
