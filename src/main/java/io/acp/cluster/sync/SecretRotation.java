package io.acp.cluster.sync;

import io.acp.security.ClusterSecretSlots;
import java.util.Locale;
import java.util.Optional;

/**
 * One step of {@code acp cluster rotate-secret} on this node: the new secret goes through the two
 * key slots of the running sync and of the node's PKI files (so a restart mid-rotation resumes in
 * the same step). Every node must finish a step before any node starts the next:
 * {@link Step#ACCEPT} (send under the old secret, accept the new one too), {@link Step#SEND} (send
 * under the new one, still accept the old one), {@link Step#RETIRE} (the old one is refused).
 */
public final class SecretRotation {

    /** The steps, in order. */
    public enum Step {
        ACCEPT, SEND, RETIRE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Step parse(String s) {
            for (Step step : values()) {
                if (step.wireName().equals(s)) {
                    return step;
                }
            }
            throw new IllegalArgumentException("unknown rotation step '" + s + "': one of accept, send, retire");
        }
    }

    /** What the node's slots hold after a step (never the secrets themselves). */
    public record Slots(String node, boolean previousPresent) {
    }

    /** The shortest secret a rotation takes: 256 random bits as hex are 64 characters. */
    public static final int MIN_SECRET_CHARS = 32;

    /** Two rotations reaching one node at once must not interleave their reads and writes of the slots. */
    private static final Object STEPS = new Object();

    private final String node;
    private final ClusterSecretSlots files;
    private final ClusterSync sync;

    /** @param sync the running sync of the node, or null when sync is disabled (only the files change) */
    public SecretRotation(String node, ClusterSecretSlots files, ClusterSync sync) {
        this.node = node;
        this.files = files;
        this.sync = sync;
    }

    /**
     * Performs {@code step}; {@code secret} is the new secret (needed by accept and send). Repeating
     * a step is harmless. Blocks on file I/O.
     */
    public Slots perform(Step step, Optional<String> secret) {
        synchronized (STEPS) {
            return performAlone(step, secret);
        }
    }

    private Slots performAlone(Step step, Optional<String> secret) {
        String current = files.current();
        String next;
        Optional<String> other;
        switch (step) {
            case ACCEPT -> {
                next = current;
                other = Optional.of(newSecret(step, secret, current));
            }
            case SEND -> {
                String fresh = newSecret(step, secret, null);
                next = fresh;
                // repeated after a success: the old secret is already in the previous slot
                other = fresh.equals(current) ? files.previous() : Optional.of(current);
                if (other.isEmpty()) {
                    throw new IllegalStateException("node " + node + " already sends under the new secret and has no old one left: "
                            + "the rotation is past its send step here");
                }
            }
            case RETIRE -> {
                next = current;
                other = Optional.empty();
            }
            default -> throw new IllegalStateException("step " + step);
        }
        files.write(next, other);
        if (sync != null) {
            sync.useSecrets(next, other);
        }
        return new Slots(node, other.isPresent());
    }

    private String newSecret(Step step, Optional<String> secret, String current) {
        String s = secret.map(String::strip).orElseThrow(() -> new IllegalArgumentException(
                "rotation step " + step.wireName() + " on node " + node + " needs the new secret"));
        if (s.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("rotation step " + step.wireName() + " on node " + node + ": the new secret has "
                    + s.length() + " characters, at least " + MIN_SECRET_CHARS + " are needed");
        }
        if (s.equals(current)) {
            throw new IllegalArgumentException("rotation step " + step.wireName() + " on node " + node + ": the new secret is the current one");
        }
        return s;
    }
}
