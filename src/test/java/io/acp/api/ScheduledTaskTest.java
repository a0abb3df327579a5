package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.task.Task;
import io.acp.task.TaskFilter;
import io.acp.task.TaskLog;
import io.acp.task.TaskRetention;
import io.acp.task.TaskState;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A node's scheduled operation (the hypervisor's scheduled backups) is a task in the log: who ran it, on what, how it ended. */
class ScheduledTaskTest {

    @Test
    void aScheduledBackupIsRecordedAsATaskOfTheScheduler() {
        try (Cdb cdb = Cdb.inMemory("n1")) {
            TaskLog log = new TaskLog("n1", () -> cdb, java.time.Clock.systemUTC(), new TaskRetention(100, Duration.ofDays(1)), Runnable::run);
            TaskRecorder recorder = new TaskRecorder(log);
            recorder.scheduled("backup", "db1", () -> Uni.createFrom().item(Json.object().put("backup", "db1.20261202T020000Z")))
                    .await().atMost(Duration.ofSeconds(5));
            assertThatThrownBy(() -> recorder.scheduled("backup", "db2", () -> Uni.createFrom().failure(
                    new AcpException(ErrorCode.CONFLICT, "rule backup-space: ..."))).await().atMost(Duration.ofSeconds(5)))
                    .hasMessageContaining("rule backup-space");

            List<Task> tasks = log.list(new TaskFilter(null, "scheduler", Instant.EPOCH, 10));
            assertThat(tasks).extracting(Task::object).containsExactlyInAnyOrder("system/db1", "system/db2");
            assertThat(tasks).allSatisfy(t -> {
                assertThat(t.op()).isEqualTo("hypervisor.backup");
                assertThat(t.node()).isEqualTo("n1");
            });
            Task failed = tasks.stream().filter(t -> t.object().equals("system/db2")).findFirst().orElseThrow();
            assertThat(failed.state()).isEqualTo(TaskState.FAILED);
            assertThat(failed.message()).isEqualTo("rule backup-space: ...");
            assertThat(tasks.stream().filter(t -> t.object().equals("system/db1")).findFirst().orElseThrow().state()).isEqualTo(TaskState.OK);
        }
    }
}
