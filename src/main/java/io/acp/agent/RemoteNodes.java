package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.RemoteRouter;
import io.acp.console.ByteEnd;
import io.acp.cluster.Cdb;
import io.acp.cluster.sync.membership.MembershipMeta;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.SharedOutcome;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.security.NodeCertificates;
import io.acp.security.Revocations;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Routes requests to other nodes' agents: finds a node's agent address in the CDB ({@link #address}),
 * keeps one mutual-TLS {@link PeerLink}
 * per node, and checks that the peer's certificate is a node certificate naming the node we meant
 * to reach and not revoked; links to a node whose certificate is revoked later are closed.
 */
final class RemoteNodes implements RemoteRouter {

    static final String ADDRESS_META = "agent";
    private static final Logger LOG = Logger.getLogger(RemoteNodes.class);

    private final String localNode;
    private final Supplier<Cdb> cdb;
    private final NetClient client;
    private final Duration timeout;
    private final Duration jobTimeout;
    private final Predicate<Request> runsAsJob;
    private final Revocations revocations;
    private final Map<String, Uni<PeerLink>> links = new ConcurrentHashMap<>();

    RemoteNodes(String localNode, Supplier<Cdb> cdb, NetClient client, Duration timeout, Duration jobTimeout, Predicate<Request> runsAsJob,
            Revocations revocations) {
        this.localNode = localNode;
        this.cdb = cdb;
        this.client = client;
        this.timeout = timeout;
        this.jobTimeout = jobTimeout;
        this.runsAsJob = runsAsJob;
        this.revocations = revocations;
    }

    @Override
    public Uni<JsonNode> forward(Request request) {
        String node = request.node();
        String address;
        try {
            address = address(node);
            if (MembershipMeta.deadInViewOf(cdb.get(), localNode, node)) {
                // no connection attempt and no timeout: the membership view already knows
                throw new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " is dead in node " + localNode
                        + "'s membership view (not heard from over cluster sync); its last agent address was " + address);
            }
        } catch (AcpException e) {
            return Uni.createFrom().failure(e);
        }
        Duration answer = runsAsJob.test(request) ? jobTimeout : timeout;
        return link(node, address).chain(l -> l.call(request, answer));
    }

    /** A console: a connection of its own to the node's agent, raw bytes once it answered ({@link ConsoleAttach}). */
    @Override
    public Uni<ByteEnd> attach(Request request) {
        String node = request.node();
        String address;
        try {
            address = address(node);
        } catch (AcpException e) {
            return Uni.createFrom().failure(e);
        }
        return connect(node, address).chain(socket -> ConsoleAttach.over(socket, request, node, timeout));
    }

    /**
     * The agent address of {@code node} from the CDB: what the node itself reports in its meta, else
     * an {@code agent} value an operator put into the {@code node/<id>} object's spec (before
     * cluster sync carries the meta, or to override it).
     */
    String address(String node) {
        Cdb c = cdb.get();
        ObjectKey key = ObjectKey.of(ObjectType.NODE, node);
        List<MetaEntry> meta = c.meta(key, node);
        JsonNode a = meta.isEmpty() ? null : meta.get(0).values().get(ADDRESS_META);
        if (a == null || !a.isTextual()) {
            a = c.object(key).map(o -> o.spec().get(ADDRESS_META)).orElse(null);
        }
        if (a == null || !a.isTextual() || a.asText().isBlank()) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " is not reachable from node " + localNode
                    + ": the cluster state has no agent address for it (is it a member, and does it run the agent?)");
        }
        return a.asText();
    }

    private Uni<PeerLink> link(String node, String address) {
        Uni<PeerLink> cached = links.get(node);
        if (cached != null) {
            return cached.chain(l -> {
                if (l.open() && l.address().equals(address)) {
                    return Uni.createFrom().item(l);
                }
                links.remove(node, cached);
                return link(node, address);
            }).onFailure().recoverWithUni(e -> {
                links.remove(node, cached);
                return Uni.createFrom().failure(e);
            });
        }
        // Not memoize(): its answer can reach a late subscriber before its subscription does (SharedOutcome).
        SharedOutcome<PeerLink> shared = new SharedOutcome<>();
        Uni<PeerLink> connecting = shared.uni();
        Uni<PeerLink> raced = links.putIfAbsent(node, connecting);
        if (raced != null) {
            return link(node, address);
        }
        shared.take(connect(node, address).map(socket -> new PeerLink(node, address, socket, ConnectedClient.certificateOf(socket))));
        return connecting.onFailure().invoke(() -> links.remove(node, connecting));
    }

    /** A new mutual-TLS connection to {@code node}'s agent, once its certificate proved it is that node. */
    private Uni<NetSocket> connect(String node, String address) {
        int colon = address.lastIndexOf(':');
        String host = colon > 0 ? address.substring(0, colon).replace("[", "").replace("]", "") : address;
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " published an agent address '"
                    + address + "' that is not HOST:PORT"));
        }
        return Uni.createFrom().completionStage(() -> client.connect(port, host).toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " at " + address
                        + " did not accept a connection within " + timeout.toMillis() + " ms"))
                .onFailure(e -> !(e instanceof AcpException)).transform(e -> new AcpException(ErrorCode.UNAVAILABLE,
                        "node " + node + " is not reachable at " + address + ": " + reason(e) + notAnAgent(reason(e), node), e))
                .invoke(socket -> checked(node, address, socket));
    }

    /** Throws UNAVAILABLE (and closes the socket) unless the peer's certificate proves it is {@code node}, a node able to serve, not revoked. */
    private void checked(String node, String address, NetSocket socket) {
        X509Certificate cert = ConnectedClient.certificateOf(socket);
        String refusal = null;
        if (cert == null) {
            refusal = "presented no certificate";
        } else if (!NodeCertificates.servesAsNode(cert)) {
            refusal = "presented the certificate of " + NodeCertificates.describe(cert) + ", not a node certificate of node " + node
                    + "; the cluster state's address for " + node + " is stale or wrong";
        } else if (!node.equals(NodeCertificates.nodeId(cert))) {
            refusal = "presented the certificate of " + NodeCertificates.describe(cert) + ", not of node " + node
                    + "; the cluster state's address for " + node + " is stale or wrong";
        } else if (revocations.revoked(cert)) {
            refusal = "presented the certificate of node " + node + " with serial " + cert.getSerialNumber().toString(16)
                    + ", which is revoked";
        }
        if (refusal != null) {
            socket.close();
            LOG.infof("node %s did not route to node %s: the agent at %s %s", localNode, node, address, refusal);
            throw new AcpException(ErrorCode.UNAVAILABLE, "the agent at " + address + " " + refusal);
        }
    }

    /** Closes the links to nodes whose certificate has been revoked since the link was made. */
    void closeRevoked() {
        for (Map.Entry<String, Uni<PeerLink>> e : links.entrySet()) {
            e.getValue().subscribe().with(l -> {
                if (l.open() && revocations.revoked(l.certificate())) {
                    links.remove(e.getKey(), e.getValue());
                    LOG.infof("node %s closed its link to node %s at %s: the node's certificate is revoked", localNode, l.node(), l.address());
                    l.close();
                }
            }, failed -> { });
        }
    }

    void closeAll() {
        for (Uni<PeerLink> l : links.values()) {
            l.subscribe().with(PeerLink::close, e -> { });
        }
        links.clear();
    }

    /** The JDK refuses a server certificate without the server usage in the handshake; say what that means here. */
    private static String notAnAgent(String reason, String node) {
        return reason.contains("Extended key usage") ? " (the server holds a certificate that may not serve, such as an operator's: it is not"
                + " the agent of node " + node + "; nothing was sent)" : "";
    }

    private static String reason(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() != null ? root.getMessage() : e.getMessage();
        return m != null ? m : root.getClass().getSimpleName();
    }
}
