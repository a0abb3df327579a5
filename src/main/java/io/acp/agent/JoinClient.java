package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.acp.security.CertificateAuthority;
import io.acp.security.JoinCertificates;
import io.acp.security.JoinToken;
import io.acp.security.NodeCertificates;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The joining side of {@code acp node join --token}: makes this node's key, asks the issuer's join
 * port for the CA certificate, checks it against the token's hash and that the server's
 * certificate is signed by it and is the node certificate of the node that issued the token (not
 * an operator's, not another node's), and only then sends the token's secret with a certificate
 * request.
 * Blocking: the CLI runs it on its own thread.
 */
public final class JoinClient {

    private static final int TIMEOUT_MS = 10_000;

    private JoinClient() {
    }

    /** Joins {@code nodeId} to the token's cluster, writing {@code target}; returns the node certificate. */
    public static X509Certificate join(JoinToken token, String nodeId, PkiFiles target) {
        if (token.expires().isBefore(Instant.now())) {
            throw new IllegalStateException("the join token expired at " + token.expires() + "; issue a new one with 'acp cluster join-token'");
        }
        if (!token.node().equals(nodeId)) {
            throw new IllegalStateException("the join token admits node " + token.node() + ", not this node " + nodeId
                    + " (acp.node.id); issue a token with 'acp cluster join-token --node " + nodeId + "'");
        }
        IllegalStateException last = null;
        for (String address : token.addresses()) {
            try {
                return joinThrough(address, token, nodeId, target);
            } catch (Unreachable e) {
                last = new IllegalStateException("cannot reach the issuer's join port at " + address + ": " + e.getMessage(), e);
            }
        }
        throw last;
    }

    private static X509Certificate joinThrough(String address, JoinToken token, String nodeId, PkiFiles target) {
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        try (SSLSocket socket = (SSLSocket) anyServer().getSocketFactory().createSocket()) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.setSoTimeout(TIMEOUT_MS);
            try {
                socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
                socket.startHandshake();
            } catch (IOException e) {
                throw new Unreachable(e.getMessage());
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            X509Certificate ca = Pem.parseCertificate(ask(in, out, Json.object().put("op", "ca").toString()).path("ca").asText(""));
            pin(token, ca, (X509Certificate) socket.getSession().getPeerCertificates()[0], address);
            KeyPair pair = CertificateAuthority.newKeyPair();
            String csr = JoinCertificates.request(nodeId, pair);
            JsonNode answer = ask(in, out, Json.object().put("op", "join").put("secret", token.secret()).put("csr", csr).toString());
            return JoinCertificates.install(target, nodeId, pair,
                    new JoinCertificates.Issued(answer.path("certificate").asText(), answer.path("ca").asText(), answer.path("secret").asText()));
        } catch (IOException e) {
            throw new Unreachable(e.getMessage());
        }
    }

    /** Trust the server only if its CA is the token's and its certificate is signed by that CA. */
    private static void pin(JoinToken token, X509Certificate ca, X509Certificate server, String address) {
        if (!JoinToken.keyHash(ca).equals(token.caKeyHash())) {
            throw new IllegalStateException("the node at " + address + " belongs to another cluster: its CA's key hash is not the token's; nothing was sent");
        }
        try {
            server.verify(ca.getPublicKey());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the node at " + address + " presents a certificate not signed by the token's CA; nothing was sent");
        }
        NodeCertificates.requireNode(server, token.issuer(), address);
    }

    private static JsonNode ask(BufferedReader in, OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String reply = in.readLine();
        if (reply == null) {
            throw new IOException("the issuer closed the connection");
        }
        JsonNode answer = Json.MAPPER.readTree(reply);
        if (answer.has("error")) {
            throw new IllegalStateException("the issuer refused the join: " + answer.path("error").asText());
        }
        return answer;
    }

    /** The handshake accepts any certificate: the pin above decides, before anything secret is sent. */
    private static SSLContext anyServer() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS 1.3", e);
        }
    }

    private static final class Unreachable extends RuntimeException {
        Unreachable(String message) {
            super(message);
        }
    }
}
