package io.acp.testing;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;

/**
 * A {@link SecureRandom} that is a pure function of its seed, for tests and simulations that must
 * replay exactly: the SUN provider's SHA1PRNG, seeded before its first output, never mixes in
 * entropy of its own. Never use it outside tests: production randomness is the platform's
 * {@code new SecureRandom()}.
 */
public final class SeededRandom {

    private SeededRandom() {
    }

    /** The stream of {@code label} (say "sim 3 node n1 key 2"): equal labels, equal streams. */
    public static SecureRandom of(String label) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG", "SUN");
            r.setSeed(label.getBytes(StandardCharsets.UTF_8)); // before any output: replaces the seed instead of adding to it
            return r;
        } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new IllegalStateException("the JDK has no SUN SHA1PRNG, which seeded test randoms need", e);
        }
    }

    public static SecureRandom of(long seed) {
        return of(Long.toString(seed));
    }
}
