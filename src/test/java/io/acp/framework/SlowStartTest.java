package io.acp.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.journal.Journal;
import io.acp.node.ServiceState;
import io.acp.testing.HeldAcknowledgements;
import io.acp.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service whose start does not finish is named in the log with where its threads are, so a
 * start that hangs in a library call or on a lock is found from the node's log alone.
 */
class SlowStartTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aStartThatHangsIsLoggedWithItsThreadsStacksAndNotOnceItRuns() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (ManagerFixture f = new ManagerFixture(); LogCapture log = new LogCapture(SupervisedService.class.getName())) {
            FakeService stuck = f.service("stuck");
            Thread[] worker = new Thread[1];
            // the start's work runs on the service's own thread, which waits on a latch as a hung library call would
            stuck.onStart = () -> {
                worker[0] = new Thread(() -> awaitQuietly(released), "acp-stuck");
                worker[0].start();
            };
            stuck.startTakes = Duration.ofDays(1);
            ServiceManager manager = f.managerWithSlowStart(List.of(stuck), () -> null, Duration.ofMillis(200));
            manager.startAll().subscribe().with(ok -> { }, e -> { });

            ManagerFixture.eventually("the stuck start is logged with its thread", () -> log.has("service stuck on node n1 is still starting after"));
            String line = log.lines().stream().filter(l -> l.contains("still starting")).findFirst().orElseThrow();
            assertThat(line).contains("\"acp-stuck\" TIMED_WAITING").contains("java.util.concurrent.CountDownLatch.await")
                    .contains(SlowStartTest.class.getName() + ".awaitQuietly");
            assertThat(ManagerFixture.status(manager, "stuck").state()).isEqualTo(ServiceState.STARTING);

            ManagerFixture.eventually("three lines at most", () -> log.lines().stream().filter(l -> l.contains("still starting")).count() == 3);
            Thread.sleep(600); // three more periods: no fourth line
            assertThat(log.lines().stream().filter(l -> l.contains("still starting"))).hasSize(3);
            released.countDown();
            worker[0].join(WAIT.toMillis());
        }
    }

    @Test
    void aStartThatFinishesInTimeLogsNoThreads() throws Exception {
        try (ManagerFixture f = new ManagerFixture(); LogCapture log = new LogCapture(SupervisedService.class.getName())) {
            FakeService quick = f.service("quick");
            // starts at once (no startTakes): far inside the watch's period even on a loaded machine
            ServiceManager manager = f.managerWithSlowStart(List.of(quick), () -> null, Duration.ofMillis(500));
            manager.startAll().await().atMost(WAIT);
            Thread.sleep(1_600); // past three periods: the watch was cancelled with the start
            assertThat(log.lines()).noneMatch(l -> l.contains("still starting"));
            assertThat(log.lines()).anyMatch(l -> l.contains("service quick on node n1 started in"));
        }
    }

    @Test
    void aStartWaitingForAWriteShowsWhatHoldsTheCdbsWritesUp(@TempDir Path dir) throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        Journal journal = Journal.open(dir, false, Long.MAX_VALUE);
        // more idle CDB writers than the log shows (a JVM of many CDBs: this one's other tests):
        // the journal's threads, which hold the writes up here, are shown before them
        for (int i = 0; i < ServiceThreads.MAX_THREADS * 10; i++) {
            Thread idle = new Thread(() -> awaitQuietly(released), io.acp.cluster.WriteThreads.CDB_WRITER_PREFIX + "idle" + i);
            idle.setDaemon(true);
            idle.start();
        }
        try (ManagerFixture f = new ManagerFixture(); LogCapture log = new LogCapture(SupervisedService.class.getName())) {
            // code chained onto one write's acknowledgement runs on the journal's acknowledging
            // thread; if it blocks there, every later write waits, and a start that waits for one
            // has no thread of its own to show
            HeldAcknowledgements.holdUntil(journal, released);
            FakeService waiting = f.service("waiting");
            waiting.startUntil = () -> journal.append(HeldAcknowledgements.entry("second"));
            ServiceManager manager = f.managerWithSlowStart(List.of(waiting), () -> null, Duration.ofMillis(200));
            manager.startAll().subscribe().with(ok -> { }, e -> { });

            ManagerFixture.eventually("the waiting start is logged", () -> log.has("service waiting on node n1 is still starting after"));
            String line = log.lines().stream().filter(l -> l.contains("still starting")).findFirst().orElseThrow();
            String writeThreads = line.substring(line.indexOf("the CDB's write threads, which a start waiting for a write waits on:"));
            assertThat(writeThreads)
                    .contains("\"acp-journal-ack\" TIMED_WAITING").contains(HeldAcknowledgements.class.getName() + ".hold")
                    .contains("\"acp-journal\" TIMED_WAITING");

            released.countDown();
            ManagerFixture.eventually("the start finishes once the acknowledgements flow", () -> ManagerFixture.status(manager, "waiting").state() == ServiceState.RUNNING);
        } finally {
            released.countDown();
            journal.close();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
