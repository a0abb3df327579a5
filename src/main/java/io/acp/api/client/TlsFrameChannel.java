package io.acp.api.client;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Frames;
import io.acp.security.NodeCertificates;
import io.acp.security.Pem;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Frames over mutual TLS to a node's agent: presents the client's certificate and trusts only the
 * given cluster CA. Blocking socket reads with SO_TIMEOUT give the read timeout.
 */
final class TlsFrameChannel implements FrameChannel {

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String peer;

    private TlsFrameChannel(SSLSocket socket, String peer) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.peer = peer;
    }

    static TlsFrameChannel connect(ApiEndpoint.Tls endpoint) throws IOException {
        SSLContext ctx = context(endpoint);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket();
        try {
            s.setEnabledProtocols(PROTOCOLS);
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), 10_000);
            s.setSoTimeout(10_000);
            s.startHandshake();
            requireAgent(s, endpoint);
            return new TlsFrameChannel(s, endpoint.describe());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The handshake proved the server holds a certificate of the cluster CA; this proves it is a
     * node's agent (and the named one), before the first request carries the API key.
     */
    private static void requireAgent(SSLSocket s, ApiEndpoint.Tls endpoint) throws IOException {
        X509Certificate server = (X509Certificate) s.getSession().getPeerCertificates()[0];
        try {
            NodeCertificates.requireNode(server, endpoint.node(), endpoint.describe());
        } catch (IllegalStateException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, e.getMessage() + " (the API key was not sent)");
        }
    }

    /**
     * The JDK's check (chain to the cluster CA, validity, server usage), preceded by ours so that
     * a server holding an operator's certificate is named as such rather than as a bad key usage.
     */
    private static X509TrustManager agentsOnly(X509TrustManager jdk, ApiEndpoint.Tls endpoint) {
        return new X509TrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                try {
                    NodeCertificates.requireNode(chain[0], endpoint.node(), endpoint.describe());
                } catch (IllegalStateException e) {
                    throw new CertificateException(e.getMessage() + " (the API key was not sent)");
                }
                jdk.checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                jdk.checkClientTrusted(chain, authType);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return jdk.getAcceptedIssuers();
            }
        };
    }

    private static SSLContext context(ApiEndpoint.Tls e) throws IOException {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("cluster-ca", Pem.readCertificate(e.ca()));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", Pem.readPrivateKey(e.key()), new char[0], new Certificate[] {Pem.readCertificate(e.cert())});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {agentsOnly((X509TrustManager) tmf.getTrustManagers()[0], e)}, null);
            return ctx;
        } catch (GeneralSecurityException | IllegalArgumentException ex) {
            throw new IOException("cannot use the client certificate " + e.cert() + ", key " + e.key() + " or CA " + e.ca() + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public void send(byte[] payload, Duration timeout) {
        try {
            out.write(Frames.frame(payload));
            out.flush();
        } catch (IOException e) {
            throw lost(e);
        }
    }

    @Override
    public byte[] receive(Duration timeout) {
        try {
            socket.setSoTimeout(timeout == null || timeout.isNegative() || timeout.isZero() ? 0 : (int) Math.max(1, timeout.toMillis()));
            long length = Integer.toUnsignedLong(in.readInt());
            if (length == 0 || length > Frames.MAX_RESPONSE_BYTES) {
                throw new AcpException(ErrorCode.BAD_FRAME, "the node at " + peer + " sent a frame of " + length
                        + " bytes; a client accepts 1 to " + Frames.MAX_RESPONSE_BYTES);
            }
            byte[] body = new byte[(int) length];
            in.readFully(body);
            return body;
        } catch (SocketTimeoutException e) {
            throw new AcpException(ErrorCode.TIMEOUT, "no answer from the node at " + peer + " while waiting for a response");
        } catch (EOFException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "the node at " + peer + " closed the connection");
        } catch (IOException e) {
            throw lost(e);
        }
    }

    private AcpException lost(IOException e) {
        return new AcpException(ErrorCode.UNAVAILABLE, "connection to the node at " + peer + " failed: "
                + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
