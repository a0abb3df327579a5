package io.acp.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task log on a real journaled CDB: what it stores, what survives a restart, what retention removes. */
class TaskLogTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final TaskRetention KEEP_ALL = new TaskRetention(1000, Duration.ofDays(7));

    @TempDir
    Path dir;

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    private Cdb open() {
        Cdb cdb = new Cdb("n1", new HybridClock(), Journal.open(dir.resolve("journal"), false, 1 << 20), 5);
        cdb.recover();
        return cdb;
    }

    private static int stored(Cdb cdb) {
        return cdb.objects(ObjectQuery.ofType(ObjectType.TASK)).size();
    }

    private static java.util.Set<String> kept(Cdb cdb) {
        return cdb.objects(ObjectQuery.ofType(ObjectType.TASK)).stream()
                .map(e -> e.spec().path("object").asText())
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * Progress goes into the running task at once in this node's memory and into the CDB at most
     * every 500 ms of the task log's clock; the finish carries the last, complete.
     */
    @Test
    void progressIsSeenHereAtOnceAndStoredAtMostTwiceASecond() {
        try (Cdb cdb = open()) {
            TaskLog log = new TaskLog("n1", () -> cdb, clock, KEEP_ALL, Runnable::run);
            Task t = Task.running(log.newId(), "hypervisor.migrate", "system/web1", "ops", "operator", "n1", "n1", clock.instant());
            log.begin(t);
            java.util.function.Supplier<io.acp.model.Progress> storedProgress = () -> cdb.object(io.acp.model.ObjectKey.of(ObjectType.TASK, t.id()))
                    .map(e -> Task.fromJson(t.id(), e.spec()).progress()).orElse(null);

            log.progress("hypervisor.migrate", "system/web1", new io.acp.model.Progress(1, 4, "steps", "preparing"));
            Eventually.await(WAIT, () -> storedProgress.get() != null, "the first progress is stored");
            log.progress("hypervisor.migrate", "system/web1", new io.acp.model.Progress(2, 4, "steps", "moving"));
            log.progress("hypervisor.other", "system/web1", new io.acp.model.Progress(9, 9, "steps", "not this task"));
            log.progress("hypervisor.migrate", "system/web2", new io.acp.model.Progress(9, 9, "steps", "not this task"));

            assertThat(log.find(t.id()).orElseThrow().progress().phase()).as("this node sees it at once").isEqualTo("moving");
            assertThat(log.list(new TaskFilter(null, null, null, 10)).get(0).progress().done()).isEqualTo(2);
            assertThat(storedProgress.get().phase()).as("the CDB not within 500 ms").isEqualTo("preparing");

            now.set(now.get().plusMillis(500));
            log.progress("hypervisor.migrate", "system/web1", new io.acp.model.Progress(3, 4, "steps", "assigning"));
            Eventually.await(WAIT, () -> storedProgress.get().done() == 3, "stored again 500 ms later");

            log.finish(t.succeeded(clock.instant(), null)); // as the recorder ends it: from the task as it began
            Eventually.await(WAIT, () -> "done".equals(storedProgress.get().phase()), "the finish carries it, complete");
            assertThat(storedProgress.get()).isEqualTo(new io.acp.model.Progress(4, 4, "steps", "done"));
        }
    }

    @Test
    void aFinishedTaskIsStoredWithItsCallerOutcomeAndDiffAndSurvivesARestart() {
        Task done;
        try (Cdb cdb = open()) {
            TaskLog log = new TaskLog("n1", () -> cdb, clock, KEEP_ALL, Runnable::run);
            Task t = Task.running(log.newId(), "hypervisor.create", "system/web1", "ops", "operator", "n2", "n1", clock.instant());
            log.begin(t);
            assertThat(log.find(t.id())).hasValueSatisfying(found -> assertThat(found.state()).isEqualTo(TaskState.RUNNING));
            now.set(now.get().plusMillis(1500));
            ArrayNode diff = SpecDiff.between(null, Json.object().put("vcpus", 2));
            done = t.succeeded(clock.instant(), diff);
            log.finish(done);
            Eventually.await(WAIT, () -> cdb.object(io.acp.model.ObjectKey.of(ObjectType.TASK, t.id()))
                    .map(e -> e.spec().path("state").asText().equals("ok")).orElse(false), "the finished task is durable");
        }
        try (Cdb restarted = open()) {
            TaskLog log = new TaskLog("n1", () -> restarted, clock, KEEP_ALL, Runnable::run);
            Task back = log.find(done.id()).orElseThrow();
            assertThat(back).isEqualTo(done);
            assertThat(back.toJson().path("durationMs").asLong()).isEqualTo(1500);
            assertThat(back.toJson().path("changes").get(0).path("after").path("vcpus").asInt()).isEqualTo(2);
            assertThat(log.list(new TaskFilter(null, "ops", null, 10))).containsExactly(done);
            assertThat(log.list(new TaskFilter(null, "someone-else", null, 10))).isEmpty();
            assertThat(log.list(new TaskFilter("n2", null, null, 10))).isEmpty();
        }
    }

    @Test
    void aTaskRunningWhenItsNodeStoppedIsMarkedInterruptedAtTheNextStart() {
        String id;
        try (Cdb cdb = open()) {
            TaskLog log = new TaskLog("n1", () -> cdb, clock, KEEP_ALL, Runnable::run);
            Task t = Task.running(log.newId(), "hypervisor.migrate", "system/db", "ops", "operator", "n1", "n1", clock.instant());
            id = t.id();
            log.begin(t);
            Eventually.await(WAIT, () -> stored(cdb) == 1, "the running task is durable");
        }
        try (Cdb restarted = open()) {
            TaskLog log = new TaskLog("n1", () -> restarted, clock, KEEP_ALL, Runnable::run);
            assertThat(log.interrupted()).isEqualTo(1);
            Eventually.await(WAIT, () -> log.find(id).map(t -> t.state() == TaskState.FAILED).orElse(false), "the task is failed");
            assertThat(log.find(id).orElseThrow().errorCode()).isEqualTo("interrupted");
            assertThat(log.interrupted()).isZero();
        }
    }

    @Test
    void retentionKeepsTheNewestMaxCountAndNothingOlderThanMaxAge() {
        try (Cdb cdb = open()) {
            TaskLog log = new TaskLog("n1", () -> cdb, clock, new TaskRetention(3, Duration.ofHours(1)), Runnable::run);
            for (int i = 0; i < 5; i++) {
                Task t = Task.running(log.newId(), "cluster.put", "system/s" + i, "ops", "operator", "n1", "n1", clock.instant());
                log.begin(t);
                log.finish(t.succeeded(clock.instant(), null));
                now.set(now.get().plusSeconds(60));
            }
            // the writes and deletes apply in the background: a count of 3 is also seen on the way
            // (s1..s3 after s0's delete, before s4's put), so wait for the set itself
            java.util.Set<String> newest = java.util.Set.of("system/s2", "system/s3", "system/s4");
            Eventually.await(WAIT, () -> kept(cdb).equals(newest), () -> "the 3 newest tasks kept, found " + kept(cdb));

            now.set(now.get().plusSeconds(3600));
            assertThat(log.prune()).isEqualTo(3);
            Eventually.await(WAIT, () -> stored(cdb) == 0, "tasks older than max-age are deleted");
        }
    }

    @Test
    void aNodePrunesOnlyTheTasksItRan() {
        try (Cdb cdb = open()) {
            TaskLog other = new TaskLog("n2", () -> cdb, clock, KEEP_ALL, Runnable::run);
            Task theirs = Task.running(other.newId(), "network.create", "network/lan", "root", "admin", "n2", "n2", clock.instant());
            other.finish(theirs.succeeded(clock.instant(), null));
            TaskLog log = new TaskLog("n1", () -> cdb, clock, new TaskRetention(1, Duration.ofMinutes(1)), Runnable::run);
            now.set(now.get().plusSeconds(3600));
            Eventually.await(WAIT, () -> stored(cdb) == 1, "the other node's task is stored");
            assertThat(log.prune()).isZero();
            assertThat(stored(cdb)).isEqualTo(1);
        }
    }
}
