package io.acp.api.client;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

/** Where a node's API listens: its Unix socket, its loopback TCP port, or its agent's TLS port. */
public sealed interface ApiEndpoint {

    SocketAddress address();

    /** For messages: {@code unix:/run/acp/api.sock} or {@code tcp:127.0.0.1:7440}. */
    String describe();

    record Unix(Path socket) implements ApiEndpoint {

        @Override
        public SocketAddress address() {
            return UnixDomainSocketAddress.of(socket);
        }

        @Override
        public String describe() {
            return "unix:" + socket;
        }
    }

    record Tcp(String host, int port) implements ApiEndpoint {

        @Override
        public SocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String describe() {
            return "tcp:" + host + ":" + port;
        }
    }

    /**
     * A node's agent: mutual TLS with the client's certificate and key, trusting the cluster CA
     * {@code ca}. The server must present a node certificate (never an operator's) and, when
     * {@code node} is not null, one naming that node; otherwise nothing is sent.
     */
    record Tls(String host, int port, Path key, Path cert, Path ca, String node) implements ApiEndpoint {

        /** Any node of the cluster CA will do. */
        public Tls(String host, int port, Path key, Path cert, Path ca) {
            this(host, port, key, cert, ca, null);
        }

        @Override
        public SocketAddress address() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String describe() {
            return "tls:" + host + ":" + port;
        }
    }

    /**
     * Parses {@code HOST:PORT} (IPv6 as {@code [::1]:7440}).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    static Tcp parseTcp(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("'" + hostPort + "' is not HOST:PORT, e.g. 127.0.0.1:7440");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("'" + hostPort + "' has no valid port (1-65535)");
        }
        return new Tcp(host, port);
    }
}
