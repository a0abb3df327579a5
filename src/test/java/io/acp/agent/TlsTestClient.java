package io.acp.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.acp.security.Pem;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A blocking JDK TLS client of the agent for tests: the protocol's frames over an SSLSocket. */
final class TlsTestClient implements AutoCloseable {

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long nextId = 1;

    private TlsTestClient(SSLSocket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects and completes the handshake. {@code key}/{@code cert} may be null (no client
     * certificate); {@code ca} is what the client trusts.
     */
    static TlsTestClient connect(int port, Path key, Path cert, Path ca, String... protocols) throws Exception {
        SSLContext ctx = context(key == null ? null : Pem.readPrivateKey(key), cert == null ? null : Pem.readCertificate(cert), Pem.readCertificate(ca));
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        try {
            if (protocols.length > 0) {
                s.setEnabledProtocols(protocols);
            }
            s.startHandshake();
            return new TlsTestClient(s);
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    /** The certificate the server presented in this connection's handshake. */
    X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    static SSLContext context(PrivateKey key, X509Certificate cert, X509Certificate ca) throws Exception {
        return io.acp.testing.TestTls.context(key, cert, ca);
    }

    Response call(String node, String service, String op, ObjectNode args, String apiKey) throws IOException {
        send(EnvelopeCodec.encode(new Request(nextId++, node, service, op, args == null ? Json.object() : args, apiKey)));
        return receive();
    }

    void send(byte[] payload) throws IOException {
        out.write(Frames.frame(payload));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    Response receive() throws IOException {
        return EnvelopeCodec.decodeResponse(receiveFrame());
    }

    /** The next frame's payload, not decoded. */
    byte[] receiveFrame() throws IOException {
        int length = in.readInt();
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
