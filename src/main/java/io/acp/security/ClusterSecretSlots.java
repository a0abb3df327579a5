package io.acp.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The two cluster-secret slots of a node on disk: {@code pki/cluster.secret} (sent under and
 * accepted) and {@code pki/cluster.secret.previous} (also accepted, only during a rotation), so a
 * node restarted mid-rotation comes back in the step it was in.
 */
public record ClusterSecretSlots(PkiFiles pki) {

    private static final String PRIVATE = "rw-------";

    public static ClusterSecretSlots in(Path dataDir) {
        return new ClusterSecretSlots(PkiFiles.in(dataDir));
    }

    /** The secret this node sends under. */
    public String current() {
        return read(pki.clusterSecret()).orElseThrow(() -> new IllegalStateException(
                "no cluster secret at " + pki.clusterSecret() + ": this node is not part of a cluster ('acp cluster init' or 'add-node' write it)"));
    }

    /** The secret accepted besides the current one, during a rotation. */
    public Optional<String> previous() {
        return read(pki.previousClusterSecret());
    }

    /** Writes both slots, the previous one first: a crash between them leaves the node accepting both. */
    public void write(String current, Optional<String> previous) {
        if (previous.isPresent()) {
            PrivateFiles.write(pki.previousClusterSecret(), previous.get() + "\n", PRIVATE);
        }
        PrivateFiles.write(pki.clusterSecret(), current + "\n", PRIVATE);
        if (previous.isEmpty()) {
            try {
                Files.deleteIfExists(pki.previousClusterSecret());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + pki.previousClusterSecret() + ": " + e.getMessage(), e);
            }
        }
    }

    private static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
