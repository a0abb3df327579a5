package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the scheduled backups of the systems assigned to this node ({@link BackupPolicy} in their
 * spec): at every tick, a system whose backup is due is backed up into its policy's pool, as a task
 * ({@link ScheduledTasks}): a plain copy if it is stopped, else through libvirt's backup API,
 * incremental after the first ({@link SystemBackups}). Then its backups in that pool that the
 * policy's retention does not keep ({@link BackupRetention}: keep-last, keep-daily, keep-weekly) are
 * removed, save those a kept incremental backup is built on. A failed run is a failed task and is
 * tried again at the next tick.
 */
final class BackupScheduler {

    /** How a node-initiated operation is recorded: the API's task log when it runs, else not at all. */
    @FunctionalInterface
    interface ScheduledTasks {
        Uni<ObjectNode> run(String op, String system, Supplier<Uni<ObjectNode>> work);

        ScheduledTasks UNRECORDED = (op, system, work) -> work.get();
    }

    private static final Logger LOG = Logger.getLogger(BackupScheduler.class);

    private final SystemContext ctx;
    private final SystemBackups backups;
    private final Clock clock;
    private volatile ScheduledTasks tasks = ScheduledTasks.UNRECORDED;

    BackupScheduler(SystemContext ctx, SystemBackups backups, Clock clock) {
        this.ctx = ctx;
        this.backups = backups;
        this.clock = clock;
    }

    void recordWith(ScheduledTasks recorder) {
        this.tasks = recorder;
    }

    /** One pass: answers the backups it made. */
    Uni<List<ObjectNode>> tick() {
        return Uni.createFrom().item(this::due)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToMulti(due -> Multi.createFrom().iterable(due))
                .onItem().transformToUniAndConcatenate(this::run)
                .collect().asList();
    }

    /** The systems of this node whose backup is due now. Reads pools: on a worker. */
    private List<SystemSpec> due() {
        Instant now = clock.instant();
        List<SystemSpec> out = new ArrayList<>();
        for (ObjectEntry e : ctx.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (!ctx.nodeId().equals(e.spec().path("node").asText(null)) || !e.spec().has("backup")) {
                continue;
            }
            try {
                SystemSpec spec = SystemSpec.parse(e.id(), e.spec());
                List<SystemBackups.Kept> kept = backups.kept(spec.id(), spec.backup().to());
                Optional<Instant> last = kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(kept.size() - 1).createdAt());
                if (spec.backup().due(last, now)) {
                    out.add(spec);
                }
            } catch (RuntimeException bad) {
                LOG.debugf("node %s: no scheduled backup of system %s: %s", ctx.nodeId(), e.id(), bad.getMessage());
            }
        }
        return out;
    }

    private Uni<ObjectNode> run(SystemSpec spec) {
        return tasks.run("backup", spec.id(), () -> backupAndPrune(spec))
                .onFailure().recoverWithItem(f -> {
                    LOG.warnf("node %s: the scheduled backup of system %s failed: %s", ctx.nodeId(), spec.id(), f.getMessage());
                    return null;
                });
    }

    private Uni<ObjectNode> backupAndPrune(SystemSpec spec) {
        BackupPolicy p = spec.backup();
        return backups.backup(spec.id(), p.to())
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(made -> {
                    ArrayNode pruned = made.putArray("pruned");
                    backups.prune(spec.id(), p.to(), p.retention()).forEach(pruned::add);
                    made.put("scheduled", p.schedule()).put("keep", p.keep()).put("keepDaily", p.keepDaily()).put("keepWeekly", p.keepWeekly());
                    return made;
                });
    }
}
