package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A heartbeat the replay window refused is taken only if it is fresh against the chain this node
 * already verified for its sender in the same epoch; replays, and heartbeats of a chain not known
 * here (after this node's restart a recording would verify anew), are refused without a count or
 * a log line (the window's drop is counted already).
 */
class ControlCheckPastWindowTest {

    @TempDir
    Path dir;

    @Test
    void onlyAHeartbeatFreshAgainstTheKnownChainIsTakenPastTheWindow() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "c");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        AuthorKeys keys = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        keys.learn("n2", n2.certificate());
        OriginCounters refusals = new OriginCounters("n1");
        ControlCheck check = new ControlCheck(keys, refusals, "n1", System::currentTimeMillis, 60_000, sender -> { });
        ControlSealer sealer = new ControlSealer(n2, 7, new InetSocketAddress("127.0.0.1", 7000));
        byte[] first = sealer.heartbeat(new byte[12]);
        byte[] second = sealer.heartbeat(new byte[12]);
        byte[] third = sealer.heartbeat(new byte[12]);

        assertThat(check.heartbeatPastWindow("n2", 7, first)).as("no chain of n2 known yet").isEmpty();
        assertThat(check.heartbeat("n2", 7, first)).isPresent();
        assertThat(check.heartbeatPastWindow("n2", 7, second)).as("the next value of the known chain").isPresent();
        assertThat(check.heartbeatPastWindow("n2", 7, second)).as("the same again: a replay").isEmpty();
        assertThat(check.heartbeatPastWindow("n2", 7, first)).as("an older one: a replay").isEmpty();
        assertThat(check.heartbeatPastWindow("n2", 8, third)).as("another epoch than the chain known").isEmpty();
        assertThat(refusals.total()).as("refused quietly: " + refusals.snapshot()).isZero();
        assertThat(check.heartbeat("n2", 7, third)).as("the chain goes on as before").isPresent();
    }
}
