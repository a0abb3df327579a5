package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Progress;
import io.acp.task.Task;
import io.acp.task.TaskLog;
import io.acp.task.TaskRetention;
import io.acp.task.TaskState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A long operation's progress reaches its task: a real backup copy of a 5 MiB disk on libvirt's
 * test driver reports the bytes it copied into the running {@code hypervisor.backup} task, which
 * ends complete; a domain with no job running has no job figures.
 */
class TaskProgressTest {

    private static final long DISK = 5L << 20;

    @TempDir
    Path tmp;

    private LibvirtNode node;
    private final String db = LibvirtNode.uniqueId("progress");

    @BeforeEach
    void start() throws Exception {
        node = LibvirtNode.start();
        Path disks = Files.createDirectories(tmp.resolve("disks"));
        Path vault = Files.createDirectories(tmp.resolve("vault"));
        pool("disks", disks);
        pool("vault", vault);
        byte[] data = new byte[(int) DISK];
        new java.util.Random(7).nextBytes(data);
        Files.write(disks.resolve("db.raw"), data);
        node.systems().create(db, Json.MAPPER.readTree("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"pool\":\"disks\",\"volume\":\"db.raw\",\"format\":\"raw\"}]}"))
                .await().atMost(LibvirtNode.WAIT);
    }

    private void pool(String id, Path path) {
        ObjectKey key = ObjectKey.of(ObjectType.STORAGE, id);
        node.cdb.putObject(key, "pool", Json.object().put("kind", "dir").put("path", path.toString()), null).await().atMost(LibvirtNode.WAIT);
        node.cdb.putMeta(key, Json.object().put("state", "ok").put("path", path.toString()));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void aBackupCopyReportsItsBytesIntoItsRunningTaskWhichEndsComplete() {
        TaskLog log = new TaskLog(LibvirtNode.NODE, () -> node.cdb, java.time.Clock.systemUTC(), new TaskRetention(100, Duration.ofDays(1)),
                Runnable::run);
        List<Progress> seen = new CopyOnWriteArrayList<>();
        node.systems().reportProgressTo((op, object, p) -> {
            seen.add(p);
            log.progress(op, object, p);
        });
        node.systems().stop(db).await().atMost(LibvirtNode.WAIT);
        Task task = Task.running(log.newId(), "hypervisor.backup", "system/" + db, "ops", "operator", "n1", "n1", log.now());
        log.begin(task);

        node.systems().backup(db, "vault").await().atMost(LibvirtNode.WAIT);

        assertThat(seen).as("one report a MiB and one at the end").hasSizeGreaterThanOrEqualTo(5);
        assertThat(seen).allSatisfy(p -> {
            assertThat(p.unit()).isEqualTo("bytes");
            assertThat(p.total()).isEqualTo(DISK);
            assertThat(p.phase()).isEqualTo("copying disk vda");
        });
        assertThat(seen).extracting(Progress::done).isSorted();
        assertThat(seen.get(seen.size() - 1).done()).isEqualTo(DISK);
        Task running = log.find(task.id()).orElseThrow();
        assertThat(running.progress()).isEqualTo(new Progress(DISK, DISK, "bytes", "copying disk vda"));
        assertThat(running.toJson().path("progress").path("percent").asInt()).isEqualTo(100);

        log.finish(running.succeeded(log.now(), null));
        Task done = Task.fromJson(task.id(), node.cdb.object(ObjectKey.of(ObjectType.TASK, task.id())).orElseThrow().spec());
        assertThat(done.state()).isEqualTo(TaskState.OK);
        assertThat(done.progress()).isEqualTo(new Progress(DISK, DISK, "bytes", "done"));
    }

    @Test
    void aReportForAnOperationNobodyAskedAsATaskChangesNoTask() {
        TaskLog log = new TaskLog(LibvirtNode.NODE, () -> node.cdb, java.time.Clock.systemUTC(), new TaskRetention(100, Duration.ofDays(1)),
                Runnable::run);
        node.systems().reportProgressTo(log::progress);
        Task other = Task.running(log.newId(), "hypervisor.backup", "system/someone-else", "ops", "operator", "n1", "n1", log.now());
        log.begin(other);
        node.systems().stop(db).await().atMost(LibvirtNode.WAIT);

        node.systems().backup(db, "vault").await().atMost(LibvirtNode.WAIT);

        assertThat(log.find(other.id()).orElseThrow().progress()).isNull();
    }

    @Test
    void aDomainWithNoJobRunningHasNoJobFigures() {
        assertThat(node.backend.get().jobProgress(db)).isEmpty();
        assertThat(node.backend.get().jobProgress("no-such-domain")).isEmpty();
    }
}
