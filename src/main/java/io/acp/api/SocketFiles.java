package io.acp.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** File-system side of the listeners: the socket's directory and file, and the loopback rule. Blocking. */
final class SocketFiles {

    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-x---");
    static final Set<PosixFilePermission> SOCKET_MODE = PosixFilePermissions.fromString("rw-rw----");

    private SocketFiles() {
    }

    /** Refuses anything but a loopback address: remote access goes through the agent, never this port. */
    static void requireLoopback(String host) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException("acp.api.host=" + host + " is not a loopback address: the API TCP port binds to "
                    + "loopback only (e.g. 127.0.0.1); remote access goes through the agent");
        }
    }

    /**
     * Makes the socket's directory (0750, created with that mode so the socket never sits in a wider
     * one) and removes a stale socket file. A socket someone still listens on, or a path that is not
     * a socket, is refused rather than removed.
     */
    static void prepare(Path socket) {
        Path dir = socket.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                if (!Files.getPosixFilePermissions(dir).equals(DIR_MODE)) {
                    Files.setPosixFilePermissions(dir, DIR_MODE); // the umask took bits the group needs
                }
            }
            if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            if (!Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                throw new IllegalStateException(socket + " exists and is not a socket; remove it or change acp.api.socket");
            }
            if (listening(socket)) {
                throw new IllegalStateException("another process is listening on unix:" + socket + "; is acp already running?");
            }
            Files.delete(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the API socket " + socket + ": " + e.getMessage(), e);
        }
    }

    static void restrict(Path socket) {
        try {
            Files.setPosixFilePermissions(socket, SOCKET_MODE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set mode 0660 on the API socket " + socket + ": " + e.getMessage(), e);
        }
    }

    static void remove(Path socket) {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the API socket " + socket + ": " + e.getMessage(), e);
        }
    }

    private static boolean listening(Path socket) {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
