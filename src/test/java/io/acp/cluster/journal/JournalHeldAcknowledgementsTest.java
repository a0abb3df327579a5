package io.acp.cluster.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.testing.Eventually;
import io.acp.testing.HeldAcknowledgements;
import io.acp.testing.LogCapture;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code chained onto a write's acknowledgement that blocks holds up every later acknowledgement of
 * the node. The journal cannot undo that, but it says so, once, with the frame that holds it.
 */
class JournalHeldAcknowledgementsTest {

    @Test
    void anAcknowledgementHeldPastTwoSecondsIsLoggedOnceWithWhereItIs(@TempDir Path dir) throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        Journal journal = Journal.open(dir, false, Long.MAX_VALUE);
        try (LogCapture log = new LogCapture(AcknowledgementWatch.class.getName())) {
            HeldAcknowledgements.holdUntil(journal, released);
            AtomicBoolean later = new AtomicBoolean();
            Uni<Void> next = journal.append(HeldAcknowledgements.entry("later"));
            next.subscribe().with(ok -> later.set(true));

            Eventually.await(Duration.ofSeconds(10), () -> log.has("acknowledging a write has taken"), "the held acknowledgement is logged");
            String line = log.lines().stream().filter(l -> l.contains("acknowledging a write has taken")).findFirst().orElseThrow();
            assertThat(line).contains("journal " + dir).contains("no later write of this node is acknowledged until it returns")
                    .contains("thread \"acp-journal-ack\" is at:").contains(HeldAcknowledgements.class.getName() + ".hold");
            assertThat(later).as("a later write waits behind the held one").isFalse();

            Thread.sleep(2_500); // past the writer's next checks: the same delivery is not logged again
            assertThat(log.lines().stream().filter(l -> l.contains("acknowledging a write has taken"))).hasSize(1);

            released.countDown();
            Eventually.await(Duration.ofSeconds(10), later::get, "the later write is acknowledged once released");
        } finally {
            released.countDown();
            journal.close();
        }
    }

    @Test
    void acknowledgementsThatReturnAreNotLogged(@TempDir Path dir) throws Exception {
        Journal journal = Journal.open(dir, false, Long.MAX_VALUE);
        try (LogCapture log = new LogCapture(AcknowledgementWatch.class.getName())) {
            for (int i = 0; i < 100; i++) {
                journal.append(HeldAcknowledgements.entry("quick-" + i)).await().atMost(Duration.ofSeconds(10));
            }
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AcknowledgementWatch.HELD_AFTER_NANOS) + 1_200);
            assertThat(log.lines()).isEmpty();
        } finally {
            journal.close();
        }
    }
}
