package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.acp.model.Progress;
import io.acp.node.NodeCalls;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Empties this node for maintenance ({@code acp node evacuate}): marks it unschedulable
 * ({@link NodeSchedule}), then moves every system assigned to it, one at a time, to the target
 * {@link EvacuationTargets} chooses (or the one the operator named): a running or paused system by
 * live migration, a stopped one by moving its definition and assignment (an offline migration,
 * {@link Migrations}). A system that cannot move is left here and reported by name with its rule.
 *
 * <p>Progress is field {@code evacuation} of the node's object: {@code state} ({@code running},
 * {@code done}, {@code incomplete}, {@code interrupted}) and per system {@code moving}, {@code moved}
 * (with {@code node}) or {@code left} (with {@code rule} and {@code reason}). Idempotent and
 * resumable: the systems already moved are no longer assigned here, so evacuating again moves only
 * what is left; a node that restarts mid-way records the evacuation as {@code interrupted} and stays
 * unschedulable. {@code acp node resume} clears both; an evacuation under way stops before its next system.
 */
final class Evacuation {

    private static final Logger LOG = Logger.getLogger(Evacuation.class);
    /** The operation whose task shows an evacuation's progress. */
    static final String OP = "hypervisor.node-evacuate";

    private final SystemContext ctx;
    private final Migrations migrations;
    private final EvacuationTargets targets;
    private final AtomicBoolean driving = new AtomicBoolean();

    Evacuation(SystemContext ctx, Migrations migrations, boolean sharedStorage) {
        this.ctx = ctx;
        this.migrations = migrations;
        this.targets = new EvacuationTargets(ctx.cdb(), ctx.nodeId(), sharedStorage);
    }

    /**
     * Evacuates this node ({@code node} must name it). With {@code wait} the answer comes when every
     * system has moved (CONFLICT naming each one left and its rule, if any was); without it, once
     * the node is marked and the moves have begun.
     */
    Uni<ObjectNode> evacuate(String node, String to, boolean wait, String by, NodeCalls calls) {
        String self = ctx.nodeId();
        if (!self.equals(node)) {
            throw new AcpException(ErrorCode.CONFLICT, "node " + self + " cannot evacuate node " + node + ": a node evacuates itself "
                    + "(it drives the migrations); send the request to node " + node + " (acp --node " + node + ")");
        }
        if (to != null) {
            requireTarget(to);
        }
        if (!driving.compareAndSet(false, true)) {
            // Asked again while it runs: the same evacuation, as it stands.
            return Uni.createFrom().item(() -> answer(NodeSchedule.recordedProgress(ctx.cdb(), self).orElseGet(Json::object)));
        }
        ObjectNode progress = NodeSchedule.recordedProgress(ctx.cdb(), self).orElseGet(Json::object);
        progress.put("state", "running").put("started", ctx.reports().now().toString()).putNull("ended");
        if (to != null) {
            progress.put("to", to);
        } else {
            progress.remove("to");
        }
        ObjectNode systems = progress.with("systems");
        java.util.concurrent.atomic.AtomicReference<List<String>> moving = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        Uni<ObjectNode> run = NodeSchedule.markUnschedulable(ctx.cdb(), self, by, ctx.reports().now())
                .chain(() -> {
                    List<String> here = assignedHere();
                    here.forEach(id -> systems.set(id, Json.object().put("state", "pending")));
                    LOG.infof("node %s is unschedulable: evacuating its systems %s%s", self, here, to == null ? "" : " to node " + to);
                    return NodeSchedule.progress(ctx.cdb(), self, progress).replaceWith(here);
                })
                .invoke(here -> {
                    moving.set(here);
                    reportProgress(here, systems, "moving " + here.size() + " system(s)");
                })
                .onItem().transformToMulti(here -> Multi.createFrom().iterable(here))
                .onItem().transformToUniAndConcatenate(id -> Uni.createFrom().voidItem()
                        .invoke(() -> reportProgress(moving.get(), systems, "moving system " + id))
                        .chain(() -> moveOne(id, to, systems, calls))
                        .call(() -> NodeSchedule.progress(ctx.cdb(), self, progress)))
                .collect().last()
                .invoke(() -> reportProgress(moving.get(), systems, "finishing"))
                .chain(() -> finish(progress))
                .eventually(() -> driving.set(false));
        if (!wait) {
            run.subscribe().with(done -> { }, failed -> LOG.warnf("evacuation of node %s: %s", self, failed.getMessage()));
            return Uni.createFrom().item(() -> answer(progress));
        }
        return run.map(this::requireEmptied);
    }

    /** The evacuation's task: of the systems it set out to move, those no longer pending or moving (moved or left). */
    private void reportProgress(List<String> here, ObjectNode systems, String phase) {
        long done = 0;
        for (String id : here) {
            String state = systems.path(id).path("state").asText();
            done += state.equals("pending") || state.equals("moving") ? 0 : 1;
        }
        ctx.progress().report(OP, "node/" + ctx.nodeId(), new Progress(done, here.size(), "systems", phase));
    }

    /** Systems assigned to this node, in id order. */
    private List<String> assignedHere() {
        List<String> out = new ArrayList<>();
        for (ObjectEntry e : ctx.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (ctx.nodeId().equals(e.spec().path("node").asText(null))) {
                out.add(e.id());
            }
        }
        return out;
    }

    /** One system: moved, or left with its rule; never a failure of the whole evacuation. */
    private Uni<Void> moveOne(String id, String to, ObjectNode systems, NodeCalls calls) {
        if (NodeSchedule.schedulable(ctx.cdb(), ctx.nodeId())) {
            systems.set(id, left("resumed", "node " + ctx.nodeId() + " was resumed (acp node resume) before system " + id + " moved"));
            return Uni.createFrom().voidItem();
        }
        ObjectEntry e = ctx.cdb().object(SystemReports.key(id)).orElse(null);
        if (e == null || !ctx.nodeId().equals(e.spec().path("node").asText(null))) {
            systems.set(id, Json.object().put("state", "moved").put("node", e == null ? null : e.spec().path("node").asText(null)));
            return Uni.createFrom().voidItem(); // deleted or moved meanwhile
        }
        SystemSpec spec = SystemSpec.parse(id, e.spec());
        EvacuationTargets.Choice choice = targets.choose(spec, to, System.currentTimeMillis());
        if (choice.target() == null) {
            systems.set(id, left(choice.rule(), choice.reason()));
            LOG.warnf("evacuation of node %s leaves system %s: rule %s: %s", ctx.nodeId(), id, choice.rule(), choice.reason());
            return Uni.createFrom().voidItem();
        }
        systems.set(id, Json.object().put("state", "moving").put("node", choice.target()));
        return ctx.hv().call(b -> b.status(id))
                .map(s -> s.isPresent() && (s.get().state() == SystemState.RUNNING || s.get().state() == SystemState.PAUSED))
                .chain(running -> migrations.migrate(id, choice.target(), running, calls)
                        .invoke(done -> systems.set(id, Json.object().put("state", "moved").put("node", choice.target()).put("live", running))))
                .onFailure().recoverWithItem(f -> {
                    systems.set(id, left("migration-failed", f.getMessage()));
                    return null;
                })
                .replaceWithVoid();
    }

    private static ObjectNode left(String rule, String reason) {
        return Json.object().put("state", "left").put("rule", rule).put("reason", reason);
    }

    private Uni<ObjectNode> finish(ObjectNode progress) {
        boolean allMoved = true;
        for (JsonNode s : progress.path("systems")) {
            allMoved &= s.path("state").asText().equals("moved");
        }
        progress.put("state", allMoved ? "done" : "incomplete").put("ended", ctx.reports().now().toString());
        LOG.infof("evacuation of node %s %s", ctx.nodeId(), allMoved ? "done: no system is left on it" : "incomplete: " + leftOnes(progress));
        return NodeSchedule.progress(ctx.cdb(), ctx.nodeId(), progress).replaceWith(progress);
    }

    /** The answer of a finished evacuation; CONFLICT naming every system left and its rule. */
    private ObjectNode requireEmptied(ObjectNode progress) {
        if (progress.path("state").asText().equals("incomplete")) {
            throw new AcpException(ErrorCode.CONFLICT, "node " + ctx.nodeId() + " is unschedulable but not empty: " + leftOnes(progress)
                    + "; fix what the rules name and run 'acp node evacuate " + ctx.nodeId() + "' again");
        }
        return answer(progress);
    }

    private static String leftOnes(ObjectNode progress) {
        List<String> out = new ArrayList<>();
        progress.path("systems").fields().forEachRemaining(f -> {
            if (f.getValue().path("state").asText().equals("left")) {
                out.add("system " + f.getKey() + " left (rule " + f.getValue().path("rule").asText() + ": " + f.getValue().path("reason").asText() + ")");
            }
        });
        return String.join("; ", out);
    }

    private ObjectNode answer(ObjectNode progress) {
        ObjectNode o = Json.object().put("node", ctx.nodeId()).put("unschedulable", true);
        o.set("evacuation", progress.deepCopy());
        return o;
    }

    private void requireTarget(String to) {
        if (to.equals(ctx.nodeId())) {
            throw AcpException.badRequest("evacuate node " + to + " --to " + to + ": the target must be another node");
        }
        NodeSchedule.require(ctx.cdb(), to, "evacuate node " + ctx.nodeId() + " to it");
        if (ctx.cdb().object(NodeSchedule.key(to)).isEmpty() && ctx.cdb().reportedKeys(ObjectType.NODE).stream().noneMatch(k -> k.id().equals(to))) {
            throw AcpException.notFound("node " + to + " (the cluster state has no node object of it and it reports nothing)");
        }
    }

    /** Clears the mark and the progress of {@code node} (any node may): placement may choose it again. */
    Uni<ObjectNode> resume(String node) {
        return NodeSchedule.resume(ctx.cdb(), node)
                .map(e -> Json.object().put("node", node).put("unschedulable", false));
    }

    /** After a restart: an evacuation this node recorded as running no longer runs. */
    Uni<Void> markInterrupted() {
        ObjectNode p = NodeSchedule.recordedProgress(ctx.cdb(), ctx.nodeId()).orElse(null);
        if (p == null || !p.path("state").asText().equals("running") || driving.get()) {
            return Uni.createFrom().voidItem();
        }
        p.put("state", "interrupted");
        LOG.infof("node %s restarted during its evacuation: it stays unschedulable; run 'acp node evacuate %s' to move what is left",
                ctx.nodeId(), ctx.nodeId());
        return NodeSchedule.progress(ctx.cdb(), ctx.nodeId(), p).replaceWithVoid();
    }

    /** For this node's meta: {@code schedulable}, and {@code evacuation} (its state) while one is recorded. */
    Map<String, String> meta() {
        Map<String, String> m = new TreeMap<>();
        m.put("schedulable", Boolean.toString(NodeSchedule.schedulable(ctx.cdb(), ctx.nodeId())));
        NodeSchedule.recordedProgress(ctx.cdb(), ctx.nodeId()).ifPresent(p -> m.put("evacuation", p.path("state").asText()));
        return m;
    }

    /**
     * Brings this node's meta in line with its object (a resume may have been written by another
     * node); the framework publishes the same fields through {@link #meta} whenever it republishes.
     */
    void publishMeta() {
        Map<String, String> want = meta();
        io.acp.model.ObjectKey key = NodeSchedule.key(ctx.nodeId());
        List<io.acp.model.MetaEntry> have = ctx.cdb().meta(key, ctx.nodeId());
        JsonNode values = have.isEmpty() ? Json.object() : have.get(0).values();
        boolean same = want.entrySet().stream().allMatch(w -> w.getValue().equals(values.path(w.getKey()).asText(null)))
                && (want.containsKey("evacuation") || !values.has("evacuation"));
        if (!same) {
            ctx.cdb().updateMeta(key, v -> {
                v.remove("evacuation");
                want.forEach(v::put);
                return v;
            });
        }
    }
}
