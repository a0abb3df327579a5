package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots of this node's systems through libvirt (internal qcow2 snapshots, see
 * {@link SnapshotSupport}): create, list, revert and delete. libvirt holds the snapshots and their
 * parent chain; after every operation the node copies them into its meta of the system
 * ({@code snapshots}, oldest first, and {@code currentSnapshot}) so every node sees them in the CDB.
 *
 * <p>On qemu a snapshot of a running system always holds its memory state too (qemu's internal
 * snapshots of a running guest are whole-machine checkpoints); a stopped system's holds the disks.
 *
 * <p>A running system's disks are frozen by its guest agent while the snapshot is taken, when one
 * answers (qemu-guest-agent on the channel every domain has): its file systems flushed and quiet, the
 * snapshot is application-consistent; without an agent it is crash-consistent. The consistency is
 * kept in the node's meta beside libvirt's record. The memory image of a frozen guest holds the
 * freeze, so a revert to such a snapshot thaws the guest again ({@link GuestFreeze}).
 */
final class SystemSnapshots {

    private static final String NAME_RULE = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
    private final SystemContext ctx;
    private final Assignment assignment;
    private final GuestFreeze freeze;

    SystemSnapshots(SystemContext ctx, Assignment assignment) {
        this.ctx = ctx;
        this.assignment = assignment;
        this.freeze = new GuestFreeze(ctx.nodeId());
    }

    /** Takes snapshot {@code name}; {@code memory} asks for the memory state, which only a running system has. */
    Uni<ObjectNode> create(String id, String name, boolean memory, String description) {
        SystemSpec spec = ctx.specOf(id);
        assignment.requireHere(spec, "snapshot");
        checkName(id, name);
        List<String> skipped = SnapshotSupport.skippedDisks(ctx.cdb(), spec);
        return ctx.hv().call(b -> {
                    SystemState state = defined(id, b, "snapshot").state();
                    boolean active = state == SystemState.RUNNING || state == SystemState.PAUSED;
                    if (memory && !active) {
                        throw AcpException.badRequest("cannot snapshot the memory of system " + id + ": it is " + state.wireName()
                                + " on node " + ctx.nodeId() + " and has none; omit --memory for a disk snapshot");
                    }
                    if (b.snapshotNames(id).contains(name)) {
                        throw new AcpException(ErrorCode.CONFLICT, "system " + id + " already has a snapshot " + name + " on node " + ctx.nodeId()
                                + "; delete it first or choose another name");
                    }
                    String consistency = freeze.snapshot(id, b, state, SnapshotXml.request(name, description, active, skipped));
                    return publish(id, b, Map.of(name, consistency));
                })
                .map(all -> answer(id, find(all, name).orElseThrow(), all));
    }

    /** Every snapshot of the system on this node, oldest first, with its parent. */
    Uni<ObjectNode> list(String id) {
        assignment.requireHere(ctx.specOf(id), "list the snapshots of");
        return ctx.hv().call(b -> publish(id, b, Map.of())).map(all -> {
            ObjectNode o = Json.object().put("id", id).put("node", ctx.nodeId());
            ArrayNode a = o.putArray("snapshots");
            all.forEach(s -> a.add(s.toJson()));
            return o;
        });
    }

    /**
     * Brings the system back to snapshot {@code name}: its disks, and with a memory snapshot the
     * running guest as it was. A disk-only snapshot is reverted only while the system is stopped.
     */
    Uni<ObjectNode> revert(String id, String name) {
        assignment.requireHere(ctx.specOf(id), "revert");
        return ctx.hv().call(b -> {
                    SystemState state = defined(id, b, "revert").state();
                    SnapshotRecord s = existing(id, name, b);
                    if (!s.memory() && state != SystemState.STOPPED) {
                        throw new AcpException(ErrorCode.CONFLICT, "rule revert-disk-only-stopped: snapshot " + name + " of system " + id
                                + " holds only disks, and the system is " + state.wireName() + " on node " + ctx.nodeId()
                                + "; stop it first, then revert");
                    }
                    List<SnapshotRecord> before = publish(id, b, Map.of());
                    b.revertToSnapshot(id, name);
                    if (s.memory() && find(before, name).map(r -> SnapshotRecord.APPLICATION.equals(r.consistency())).orElse(false)) {
                        freeze.thawAfterRevert(id, b);
                    }
                    return publish(id, b, Map.of());
                })
                .chain(all -> ctx.report(id).map(report -> {
                    ObjectNode o = answer(id, find(all, name).orElseThrow(), all);
                    o.put("state", report.path("state").asText());
                    o.put("reverted", true);
                    return o;
                }));
    }

    /** Deletes snapshot {@code name}; its children take its parent as theirs. */
    Uni<ObjectNode> delete(String id, String name) {
        assignment.requireHere(ctx.specOf(id), "delete a snapshot of");
        return ctx.hv().call(b -> {
            defined(id, b, "delete a snapshot of");
            existing(id, name, b);
            b.deleteSnapshot(id, name);
            publish(id, b, Map.of());
            return Json.object().put("id", id).put("snapshot", name).put("deleted", true).put("node", ctx.nodeId());
        });
    }

    private DomainStatus defined(String id, HypervisorBackend b, String op) {
        return b.status(id).orElseThrow(() -> new AcpException(ErrorCode.CONFLICT, "cannot " + op + " system " + id + ": it has no domain on node "
                + ctx.nodeId() + " (define or start it first)"));
    }

    private SnapshotRecord existing(String id, String name, HypervisorBackend b) {
        return b.snapshotXml(id, name).map(SnapshotXml::read).orElseThrow(() -> new AcpException(ErrorCode.NOT_FOUND, "system " + id
                + " has no snapshot " + name + " on node " + ctx.nodeId() + "; see 'acp system snapshot list " + id + "'"));
    }

    /**
     * Reads every snapshot from libvirt and writes them, oldest first, into this node's meta of the
     * system, each with its consistency: from {@code taken} for one just taken, else as the meta had it.
     */
    private List<SnapshotRecord> publish(String id, HypervisorBackend b, Map<String, String> taken) {
        Map<String, String> consistency = new HashMap<>();
        for (var m : ctx.cdb().meta(SystemReports.key(id), ctx.nodeId())) {
            m.values().path(SystemReports.SNAPSHOTS).forEach(s -> {
                if (s.hasNonNull("consistency")) {
                    consistency.put(s.path("name").asText(), s.path("consistency").asText());
                }
            });
        }
        consistency.putAll(taken);
        List<SnapshotRecord> all = new ArrayList<>();
        for (String n : b.snapshotNames(id)) {
            b.snapshotXml(id, n).map(SnapshotXml::read).map(r -> r.withConsistency(consistency.get(r.name()))).ifPresent(all::add);
        }
        all.sort(Comparator.comparingLong(SnapshotRecord::createdAt).thenComparing(s -> depth(s, all)).thenComparing(SnapshotRecord::name));
        String current = b.currentSnapshot(id).orElse(null);
        ctx.cdb().updateMeta(SystemReports.key(id), meta -> {
            ArrayNode a = meta.putArray(SystemReports.SNAPSHOTS);
            all.forEach(s -> a.add(s.toJson()));
            if (current == null) {
                meta.remove(SystemReports.CURRENT_SNAPSHOT);
            } else {
                meta.put(SystemReports.CURRENT_SNAPSHOT, current);
            }
            return meta;
        });
        return all;
    }

    private static int depth(SnapshotRecord s, List<SnapshotRecord> all) {
        int d = 0;
        for (String p = s.parent(); p != null && d < all.size(); d++) {
            String parent = p;
            p = all.stream().filter(x -> x.name().equals(parent)).findFirst().map(SnapshotRecord::parent).orElse(null);
        }
        return d;
    }

    private static Optional<SnapshotRecord> find(List<SnapshotRecord> all, String name) {
        return all.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    private ObjectNode answer(String id, SnapshotRecord s, List<SnapshotRecord> all) {
        ObjectNode o = Json.object().put("id", id).put("node", ctx.nodeId());
        o.set("snapshot", s.toJson());
        o.put("snapshots", all.size());
        return o;
    }

    private static void checkName(String id, String name) {
        if (name == null || !name.matches(NAME_RULE)) {
            throw AcpException.badRequest("system " + id + ": snapshot name '" + name + "' must be 1..64 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
    }
}
