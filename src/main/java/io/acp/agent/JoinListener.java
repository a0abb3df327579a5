package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.cluster.Cdb;
import io.acp.security.CertificateAuthority;
import io.acp.security.ClusterPki;
import io.acp.security.JoinBinding;
import io.acp.security.Revocation;
import io.acp.security.JoinCertificates;
import io.acp.security.JoinTokens;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The agent's join port: TLS with the node's certificate but no client certificate asked, since a
 * joining node has none yet. It serves only the join exchange, one JSON line each way:
 * {@code {"op":"ca"}} answers the CA certificate (the client pins it by the token's hash before it
 * sends anything secret), then {@code {"op":"join","secret":…,"csr":…}} redeems the token and
 * answers the signed certificate, the CA certificate and the cluster secret. Only a node holding
 * the CA key opens it.
 *
 * <p>Names are bound here, at the issuer: the token admits one node name (and optionally source
 * addresses), recorded when it was issued; the request must name exactly that node; a name that is
 * already a member ({@link Admissions#membership}) is refused unless the token was issued with
 * {@code --replace}, in which case every earlier certificate of that name is revoked first. Each
 * admission is recorded in the cluster state. Joins are decided one at a time, so two tokens for
 * one name cannot both pass the membership check.
 */
final class JoinListener {

    private static final Logger LOG = Logger.getLogger(JoinListener.class);
    private static final int MAX_LINE = 16 * 1024;
    private static final int IDLE_SECONDS = 30;

    private final String nodeId;
    private final PkiFiles pki;
    private final JoinTokens tokens;
    private final Executor worker;
    private final Admissions admissions;
    private final AtomicLong refused = new AtomicLong();
    private volatile NetServer server;

    JoinListener(String nodeId, PkiFiles pki, Executor worker, Supplier<Cdb> cdb) {
        this.nodeId = nodeId;
        this.pki = pki;
        this.tokens = new JoinTokens(pki);
        this.worker = worker;
        this.admissions = new Admissions(nodeId, cdb);
    }

    /** Joins refused since start (bad token, wrong name or address, existing member, bad request). */
    long refusals() {
        return refused.get();
    }

    /** Whether this node can admit others: it holds the CA key. */
    static boolean canIssue(PkiFiles pki) {
        return Files.exists(pki.caKey());
    }

    Future<NetServer> listen(Vertx vertx, NetServerOptions tls, String host, int port) {
        // Nobody is authenticated here yet: a join takes two short exchanges, so idle connections go soon.
        NetServerOptions o = new NetServerOptions(tls).setClientAuth(ClientAuth.NONE).setIdleTimeout(IDLE_SECONDS)
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        NetServer s = vertx.createNetServer(o).connectHandler(this::accept)
                .exceptionHandler(e -> LOG.infof("join port of node %s refused a connection: %s", nodeId, e.getMessage()));
        server = s;
        return s.listen(port, host);
    }

    Future<Boolean> updateSSLOptions(io.vertx.core.net.SSLOptions ssl) {
        NetServer s = server;
        return s == null ? Future.succeededFuture(false) : s.updateSSLOptions(ssl, true);
    }

    int port() {
        NetServer s = server;
        return s == null ? -1 : s.actualPort();
    }

    Future<Void> close() {
        NetServer s = server;
        server = null;
        return s == null ? Future.succeededFuture() : s.close();
    }

    private void accept(NetSocket socket) {
        RecordParser lines = RecordParser.newDelimited("\n", socket).maxRecordSize(MAX_LINE);
        lines.exceptionHandler(e -> socket.close());
        lines.handler(line -> {
            socket.pause();
            String from = socket.remoteAddress().hostAddress();
            worker.execute(() -> {
                ObjectNode answer = answer(line, from);
                socket.write(Buffer.buffer(answer.toString() + "\n"));
                if (answer.has("error") || answer.has("certificate")) {
                    socket.end();
                } else {
                    socket.resume();
                }
            });
        });
    }

    private ObjectNode answer(Buffer line, String from) {
        try {
            JsonNode req = Json.MAPPER.readTree(line.getBytes());
            CertificateAuthority ca = io.acp.security.ClusterPki.loadAuthority(pki);
            return switch (req.path("op").asText("")) {
                case "ca" -> Json.object().put("ca", Pem.encode(ca.certificate()));
                case "join" -> join(req, from);
                default -> Json.object().put("error", "unknown join operation; this port serves only 'acp node join'");
            };
        } catch (java.io.IOException e) {
            return Json.object().put("error", "not a join request (JSON line expected)");
        } catch (RuntimeException e) {
            refused.incrementAndGet();
            LOG.infof("node %s refused a join from %s: %s", nodeId, from, e.getMessage());
            return Json.object().put("error", e.getMessage());
        }
    }

    private synchronized ObjectNode join(JsonNode req, String from) {
        JoinBinding bound = tokens.redeem(req.path("secret").asText(""));
        JoinCertificates.Request request = JoinCertificates.check(req.path("csr").asText(""));
        if (!bound.node().equals(request.nodeId())) {
            throw new IllegalStateException("the join token admits node " + bound.node() + " only, but the certificate request names node "
                    + request.nodeId() + "; no certificate was issued (the token is used up)");
        }
        if (!bound.allows(from)) {
            throw new IllegalStateException("the join token for node " + bound.node() + " may be redeemed only from " + bound.from()
                    + ", not from " + from + "; no certificate was issued (the token is used up)");
        }
        if (request.nodeId().equals(nodeId)) {
            throw new IllegalStateException("node " + nodeId + " is the CA node itself and cannot be joined or replaced; no certificate was issued");
        }
        Optional<String> member = admissions.membership(request.nodeId());
        if (member.isPresent() && !bound.replace()) {
            throw new IllegalStateException("node " + request.nodeId() + " is already a member of the cluster (" + member.get()
                    + "); no certificate was issued. To replace it, issue a token with 'acp cluster join-token --node "
                    + request.nodeId() + " --replace'");
        }
        Instant notBefore = Instant.EPOCH;
        if (member.isPresent()) {
            Revocation earlier = Revocation.ofName(ClusterPki.loadAuthority(pki), request.nodeId(), Instant.now());
            admissions.publish(earlier);
            notBefore = earlier.revokedAt();
            LOG.infof("node %s revoked %s: a join replaces node %s", nodeId, earlier.describe(), request.nodeId());
        }
        JoinCertificates.Issued issued = JoinCertificates.sign(pki, request, CertificateAuthority.MAX_NODE_VALIDITY, notBefore);
        X509Certificate cert = Pem.parseCertificate(issued.nodeCertificatePem());
        admissions.record(cert, request.nodeId(), from, member.isPresent());
        LOG.infof("node %s admitted node %s from %s with a join token (certificate serial %s%s)", nodeId, request.nodeId(), from,
                cert.getSerialNumber().toString(16), member.isPresent() ? ", replacing the earlier member" : "");
        return Json.object().put("certificate", issued.nodeCertificatePem()).put("ca", issued.caCertificatePem())
                .put("secret", issued.clusterSecret());
    }
}
