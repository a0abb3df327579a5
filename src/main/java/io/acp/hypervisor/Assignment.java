package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.util.Optional;

/**
 * Which node a system runs on: the {@code node} of its spec. A new system without one is placed
 * ({@link Placement}); an unassigned one (an object written by hand) is claimed by the node that
 * starts or defines it; a system assigned elsewhere, or in the middle of a migration, is not changed here.
 */
final class Assignment {

    private final String nodeId;
    private final Cdb cdb;
    private final Handoffs handoffs;
    /** Whether this node holds a record of a migration of the system that it has not finished (Migrations.recover). */
    private final java.util.function.Predicate<String> recorded;

    Assignment(String nodeId, Cdb cdb, Handoffs handoffs, java.util.function.Predicate<String> recorded) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.handoffs = handoffs;
        this.recorded = recorded;
    }

    /**
     * The spec a create stores: {@code requested} with its node, else the existing object's, else
     * this node for an unassigned existing object, else the one placement chooses. CONFLICT if an
     * existing object has another spec.
     */
    SystemSpec placed(SystemSpec requested, Optional<ObjectEntry> existing) {
        String assigned = existing.map(e -> e.spec().path("node").asText(null)).orElse(null);
        SystemSpec spec = requested;
        if (requested.node() != null && existing.isEmpty()) {
            NodeSchedule.require(cdb, requested.node(), "create system " + requested.id());
        }
        if (requested.node() == null) {
            spec = requested.withNode(assigned != null ? assigned : existing.isPresent() ? nodeId
                    : Placement.choose(cdb, nodeId, requested, System.currentTimeMillis()));
        }
        if (existing.isPresent() && !existing.get().spec().equals(spec.toJson())
                && !(assigned == null && existing.get().spec().equals(spec.withNode(null).toJson()))) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + spec.id() + " exists with another spec; delete it first, or start it as it is");
        }
        return spec;
    }

    /** The spec assigned to this node: as it is, or claimed now if unassigned (CONFLICT if assigned elsewhere). */
    Uni<SystemSpec> claim(SystemSpec spec, String op) {
        requireHere(spec, op);
        if (spec.node() != null) {
            return Uni.createFrom().item(spec);
        }
        ObjectEntry e = cdb.object(SystemReports.key(spec.id())).orElseThrow(() -> AcpException.notFound("system " + spec.id()));
        SystemSpec mine = spec.withNode(nodeId);
        // Conditional on the version read: of two claims on this node's CDB, one gets CONFLICT. Two
        // nodes claiming at once both win locally; the merged spec names one, and the other's reconcile removes its copy.
        return cdb.putObject(SystemReports.key(spec.id()), null, mine.toJson(), e.version()).replaceWith(mine);
    }

    /** Refuses to change a system assigned to another node, or one being migrated. */
    void requireHere(SystemSpec spec, String op) {
        if (spec.node() != null && !spec.node().equals(nodeId)) {
            throw new AcpException(ErrorCode.CONFLICT, "cannot " + op + " system " + spec.id() + " on node " + nodeId + ": it is assigned to node "
                    + spec.node() + " and runs only there (send the request to node " + spec.node() + ", or migrate it)");
        }
        // A record left by a crash counts too: until the recovery has read libvirt, the system may
        // already run on the target although the CDB still assigns it here (a start here would be a second copy).
        if (handoffs.blocks(spec.id()) || recorded.test(spec.id())) {
            throw new AcpException(ErrorCode.CONFLICT, "cannot " + op + " system " + spec.id() + " on node " + nodeId
                    + ": it is being migrated; try again when the migration has ended");
        }
    }
}
