package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;
import java.util.Optional;

/**
 * What every system operation of this node works with (its id, CDB, hypervisor thread and
 * reports, where they say how far a long one has come), and the reads they share: a system's object from the CDB, and this node's report on it.
 */
record SystemContext(String nodeId, Cdb cdb, Hypervisor hv, SystemReports reports, HostDevices hostDevices, ProgressReports progress) {

    /** Reads the domain and reports it; answers the report with the system's id. */
    Uni<ObjectNode> report(String id) {
        return hv.call(b -> b.status(id)).map(s -> reportOf(id, s));
    }

    /**
     * The report of a system, written as meta when it changed. A system this node has never held
     * is answered "stopped, not loaded" without writing meta: in a cluster only the nodes that
     * hold a system should report on it.
     */
    ObjectNode reportOf(String id, Optional<DomainStatus> s) {
        ObjectNode o = Json.object();
        o.put("id", id);
        if (s.isEmpty() && reports.last(id).isEmpty()) {
            o.put("state", SystemState.STOPPED.wireName());
            o.put("loaded", false);
            o.put("node", nodeId);
            o.putNull("since");
        } else {
            o.setAll(reports.observed(id, s).toJson());
        }
        return o;
    }

    SystemSpec specOf(String id) {
        return SystemSpec.parse(id, object(id).spec());
    }

    /** The system's object; NOT_FOUND if there is none, BAD_REQUEST if {@code id} cannot name one. */
    ObjectEntry object(String id) {
        return cdb.object(SystemReports.key(checkedId(id))).orElseThrow(() -> AcpException.notFound("system " + id));
    }

    static String checkedId(String id) {
        try {
            SystemReports.key(id);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("system id: " + e.getMessage());
        }
        return id;
    }
}
