package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.origin.ControlSealer;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.security.PkiFiles;
import io.acp.testing.SeededRandom;
import io.acp.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random source of the sync: in production the platform's strong {@link SecureRandom}, which no
 * caller can make predictable, and only in a simulation a seeded one that replays exactly. The
 * heartbeat hash chains take their seeds from it, so a predictable production random would let
 * anyone who guessed it prove heartbeats in a node's name.
 */
class SyncEnvironmentTest {

    @TempDir
    Path dir;

    @Test
    void productionDrawsFromThePlatformsStrongRandomWhichASeedCannotPin() {
        SecureRandom a = SyncEnvironment.system().random();
        SecureRandom b = SyncEnvironment.system().random();

        assertThat(a.getAlgorithm()).as("the platform default, not a seedable test PRNG")
                .isEqualTo(new SecureRandom().getAlgorithm())
                .isNotEqualTo("SHA1PRNG");
        assertThat(a).isNotSameAs(b);
        // a caller's seed only adds to the operating system's entropy: two equally seeded production
        // randoms still draw different bytes (a seeded test random would draw equal ones)
        a.setSeed(42);
        b.setSeed(42);
        assertThat(bytes(a)).isNotEqualTo(bytes(b));
        assertThat(bytes(SeededRandom.of(42))).isEqualTo(bytes(SeededRandom.of(42)));
    }

    @Test
    void heartbeatChainsAreSeededFromTheRandomTheSealerIsGiven() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "env");
        NodeSigner signer = TestPki.signer(ca, dir.resolve("n1"), "n1");
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", 7000);
        byte[] digestPart = new byte[12]; // a heartbeat's digest announcement

        byte[] seeded1 = new ControlSealer(signer, 1, at, SeededRandom.of("chain")).heartbeat(digestPart);
        byte[] seeded2 = new ControlSealer(signer, 1, at, SeededRandom.of("chain")).heartbeat(digestPart);
        byte[] strong1 = new ControlSealer(signer, 1, at, SyncEnvironment.system().random()).heartbeat(digestPart);
        byte[] strong2 = new ControlSealer(signer, 1, at, SyncEnvironment.system().random()).heartbeat(digestPart);

        assertThat(seeded1).as("one seed, one chain (and RFC 6979 signs its anchor alike)").isEqualTo(seeded2);
        assertThat(strong1).as("production chains are unpredictable").isNotEqualTo(strong2);
    }

    private static byte[] bytes(SecureRandom r) {
        byte[] out = new byte[32];
        r.nextBytes(out);
        return out;
    }
}
