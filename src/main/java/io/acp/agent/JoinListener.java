package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.security.CertificateAuthority;
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
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The agent's join port: TLS with the node's certificate but no client certificate asked, since a
 * joining node has none yet. It serves only the join exchange, one JSON line each way:
 * {@code {"op":"ca"}} answers the CA certificate (the client pins it by the token's hash before it
 * sends anything secret), then {@code {"op":"join","secret":…,"csr":…}} redeems the token and
 * answers the signed certificate, the CA certificate and the cluster secret. Only a node holding
 * the CA key opens it.
 */
final class JoinListener {

    private static final Logger LOG = Logger.getLogger(JoinListener.class);
    private static final int MAX_LINE = 16 * 1024;
    private static final int IDLE_SECONDS = 30;

    private final String nodeId;
    private final PkiFiles pki;
    private final JoinTokens tokens;
    private final Executor worker;
    private volatile NetServer server;

    JoinListener(String nodeId, PkiFiles pki, Executor worker) {
        this.nodeId = nodeId;
        this.pki = pki;
        this.tokens = new JoinTokens(pki);
        this.worker = worker;
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
            worker.execute(() -> {
                ObjectNode answer = answer(line);
                socket.write(Buffer.buffer(answer.toString() + "\n"));
                if (answer.has("error") || answer.has("certificate")) {
                    socket.end();
                } else {
                    socket.resume();
                }
            });
        });
    }

    private ObjectNode answer(Buffer line) {
        try {
            JsonNode req = Json.MAPPER.readTree(line.getBytes());
            CertificateAuthority ca = io.acp.security.ClusterPki.loadAuthority(pki);
            return switch (req.path("op").asText("")) {
                case "ca" -> Json.object().put("ca", Pem.encode(ca.certificate()));
                case "join" -> join(req);
                default -> Json.object().put("error", "unknown join operation; this port serves only 'acp node join'");
            };
        } catch (java.io.IOException e) {
            return Json.object().put("error", "not a join request (JSON line expected)");
        } catch (RuntimeException e) {
            LOG.infof("node %s refused a join: %s", nodeId, e.getMessage());
            return Json.object().put("error", e.getMessage());
        }
    }

    private ObjectNode join(JsonNode req) {
        tokens.redeem(req.path("secret").asText(""));
        JoinCertificates.Issued issued = JoinCertificates.sign(pki, req.path("csr").asText(""), CertificateAuthority.MAX_NODE_VALIDITY);
        String joined = io.acp.security.NodeCertificates.nodeId(Pem.parseCertificate(issued.nodeCertificatePem()));
        LOG.infof("node %s admitted node %s to the cluster with a join token", nodeId, joined);
        return Json.object().put("certificate", issued.nodeCertificatePem()).put("ca", issued.caCertificatePem())
                .put("secret", issued.clusterSecret());
    }
}
