package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled backups on libvirt's test driver with real files and a clock the test moves: a
 * running system's backup is tried (libvirt's backup API, which the test driver refuses: a failed
 * task leaving nothing), a stopped one is backed up when due, as a recorded task, once per
 * interval; past {@code keep}, the oldest backups are removed.
 */
class BackupSchedulerTest {

    /** A clock that stands still until the test moves it. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @TempDir
    Path tmp;

    private LibvirtNode node;
    private Path vault;
    private final String db = LibvirtNode.uniqueId("schdb");

    @BeforeEach
    void start() throws Exception {
        node = LibvirtNode.start();
        Path disks = Files.createDirectories(tmp.resolve("disks"));
        vault = Files.createDirectories(tmp.resolve("vault"));
        for (var p : List.of(List.of("disks", disks), List.of("vault", vault))) {
            ObjectKey key = ObjectKey.of(ObjectType.STORAGE, (String) p.get(0));
            node.cdb.putObject(key, "pool", (ObjectNode) Json.MAPPER.readTree("{\"kind\":\"dir\",\"path\":\"" + p.get(1) + "\"}"), null).await().atMost(LibvirtNode.WAIT);
            node.cdb.putMeta(key, Json.object().put("state", "ok").put("path", p.get(1).toString()));
        }
        Files.writeString(disks.resolve("db.qcow2"), "the data", StandardCharsets.UTF_8);
        node.systems().create(db, SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"pool\":\"disks\",\"volume\":\"db.qcow2\",\"format\":\"qcow2\"}],"
                + "\"backup\":{\"schedule\":\"every 1d\",\"keep\":2,\"to\":\"vault\"}}")).await().atMost(LibvirtNode.WAIT);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private List<String> backups() throws Exception {
        Path dir = vault.resolve(SystemBackups.DIR);
        try (Stream<Path> s = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void dueBackupsOfStoppedSystemsRunAsTasksAndOldOnesArePruned() throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-02T02:00:00Z"));
        BackupScheduler scheduler = node.systems().backupScheduler(clock);
        List<String> tasks = new CopyOnWriteArrayList<>();
        scheduler.recordWith((op, system, work) -> {
            tasks.add(op + " " + system);
            return work.get();
        });

        assertThat(scheduler.tick().await().atMost(LibvirtNode.WAIT)).as("running: tried through libvirt's backup API, which the test driver lacks")
                .isEmpty();
        assertThat(backups()).as("the failed try left nothing").isEmpty();
        assertThat(tasks).containsExactly("backup " + db);
        tasks.clear();
        node.systems().stop(db).await().atMost(LibvirtNode.WAIT);

        var first = scheduler.tick().await().atMost(LibvirtNode.WAIT);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).path("scheduled").asText()).isEqualTo("every 1d");
        assertThat(backups()).containsExactly(db + ".20261202T020000Z");
        assertThat(tasks).containsExactly("backup " + db);

        clock.advance(Duration.ofHours(23));
        assertThat(scheduler.tick().await().atMost(LibvirtNode.WAIT)).as("not due yet").isEmpty();
        clock.advance(Duration.ofHours(1));
        scheduler.tick().await().atMost(LibvirtNode.WAIT);
        assertThat(backups()).containsExactly(db + ".20261202T020000Z", db + ".20261203T020000Z");

        clock.advance(Duration.ofDays(1));
        var third = scheduler.tick().await().atMost(LibvirtNode.WAIT);
        assertThat(third.get(0).path("pruned").get(0).asText()).isEqualTo(db + ".20261202T020000Z");
        assertThat(backups()).as("keep 2").containsExactly(db + ".20261203T020000Z", db + ".20261204T020000Z");
        assertThat(tasks).hasSize(3);
        assertThat(Files.readString(vault.resolve(SystemBackups.DIR).resolve(db + ".20261204T020000Z").resolve("disk-vda.qcow2"))).isEqualTo("the data");
    }

    @Test
    void aPolicyIsSetAndRemovedWithSetAndAppliesAtOnce() {
        Systems s = node.systems();
        var changed = s.set(db, SystemLifecycleTest.json("{\"backup\":{\"schedule\":\"daily 03:30\",\"keep\":5,\"to\":\"vault\"}}"))
                .await().atMost(LibvirtNode.WAIT);
        assertThat(changed.path("applies").asText()).isEqualTo("now");
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, db)).orElseThrow().spec().path("backup").path("schedule").asText()).isEqualTo("daily 03:30");
        s.set(db, SystemLifecycleTest.json("{\"backup\":null}")).await().atMost(LibvirtNode.WAIT);
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, db)).orElseThrow().spec().has("backup")).isFalse();
    }
}
