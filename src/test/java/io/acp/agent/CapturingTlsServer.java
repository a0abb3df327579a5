package io.acp.agent;

import io.acp.security.Pem;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * An impostor agent on 127.0.0.1: a TLS server holding some certificate of the cluster CA that
 * completes one handshake and counts every byte the client sends after it (an API key would be
 * among them).
 */
final class CapturingTlsServer implements AutoCloseable {

    private final SSLServerSocket server;
    private final CompletableFuture<Integer> received = new CompletableFuture<>();

    CapturingTlsServer(Path key, Path cert, Path ca) throws Exception {
        var ctx = TlsTestClient.context(Pem.readPrivateKey(key), Pem.readCertificate(cert), Pem.readCertificate(ca));
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setWantClientAuth(true);
        Thread t = new Thread(this::serveOne, "capturing-tls-server");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Bytes the one client sent after the handshake, once it closed (or -1 if it never connected within 20 s). */
    int bytesReceived() throws Exception {
        try {
            return received.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return -1;
        }
    }

    private void serveOne() {
        int total = 0;
        try (SSLSocket s = (SSLSocket) server.accept()) {
            s.setSoTimeout(15_000);
            s.startHandshake();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
            }
        } catch (IOException e) {
            // the client hung up or stayed silent: what it sent so far is all there is
        }
        received.complete(total);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
