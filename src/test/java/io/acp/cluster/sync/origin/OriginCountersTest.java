package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Refusals counted by rule and by sender, whatever names senders give. */
class OriginCountersTest {

    @Test
    void sendersBeyondTheBoundShareOneCountAndEveryRefusalIsCountedByRule() {
        OriginCounters c = new OriginCounters("n1");
        c.refused(Refusal.NOT_SENDER, "n2", "meta x", "why");
        int names = OriginCounters.MAX_SENDERS + 1000;
        for (int i = 0; i < names; i++) {
            c.refused(Refusal.UNKNOWN_AUTHOR, "made-up-" + i, "stats y", "no certificate");
        }
        c.refused(Refusal.NOT_SENDER, "n2", "meta x", "why");

        assertThat(c.count(Refusal.UNKNOWN_AUTHOR)).isEqualTo(names);
        assertThat(c.fromSender("n2")).as("a sender counted before the flood stays counted apart").isEqualTo(2);
        assertThat(c.fromSender("made-up-0")).isEqualTo(1);
        assertThat(c.fromSender("made-up-" + (names - 1))).isZero();
        assertThat(c.fromSender(OriginCounters.OTHER_SENDERS)).isEqualTo(names - (OriginCounters.MAX_SENDERS - 1));
    }
}
