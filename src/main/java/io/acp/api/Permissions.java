package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.storage.share.ShareOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which operation needs which role: the table of docs/security.md ("Roles") in code, checked by
 * the dispatcher before any operation runs. An operation a service offers that is missing here
 * needs admin (fail closed). Host resources are admin's: besides the admin-only operations, a
 * system spec that names a raw host path or a host bridge needs admin whatever operation carries it.
 */
public final class Permissions {

    /** What a caller must be. Ordered: each includes the ones before it for the roles. */
    public enum Need {
        /** Any key: admin, operator, read-only. */
        READ,
        /** admin or operator. */
        OPERATOR,
        /** admin only. */
        ADMIN,
        /** Only a node, through its node certificate on the agent, on behalf of an admin or operator. */
        NODE;

        public String wireName() {
            return this == READ ? "read-only" : this == NODE ? "node certificate" : name().toLowerCase(Locale.ROOT);
        }
    }

    /** Object types anyone with operator may put and delete through cluster.put/delete; the others reach the host. */
    static final Set<ObjectType> OPERATOR_TYPES = Set.of(ObjectType.SYSTEM, ObjectType.ALARM);

    private static final Map<String, Need> TABLE = new TreeMap<>();

    static {
        need(Need.READ, "api.ping", "api.cancel", "framework.status", "framework.services", "cluster.list", "cluster.get", "cluster.meta",
                "cluster.stats", "cluster.history", "cluster.watch", "hypervisor.list", "hypervisor.show", "hypervisor.console-info", "hypervisor.snapshot-list",
                "hypervisor.backup-list",
                "hypervisor.template-list", "hypervisor.template-show", "network.list", "network.show",
                "monitor.health", "monitor.alarms", "storage.list", "storage.show",
                "task.list", "task.show");
        need(Need.OPERATOR, "hypervisor.create", "hypervisor.set", "hypervisor.define", "hypervisor.start", "hypervisor.stop", "hypervisor.shutdown",
                "hypervisor.pause", "hypervisor.resume", "hypervisor.restart", "hypervisor.delete", "hypervisor.migrate", "monitor.ack",
                "hypervisor.snapshot-create", "hypervisor.snapshot-revert", "hypervisor.snapshot-delete", "hypervisor.backup", "hypervisor.restore",
                "hypervisor.template-create", "hypervisor.template-delete",
                "storage.volume.create", "storage.volume.resize", "storage.volume.delete");
        need(Need.ADMIN, "network.create", "network.delete", "network.attach", "network.detach", "storage.pool.create", "storage.pool.delete",
                "storage.share.add", "storage.share.remove", "cluster.rotate-secret",
                "hypervisor.node-evacuate", "hypervisor.node-resume");
        need(Need.NODE, "hypervisor.migrate-prepare", "hypervisor.migrate-confirm", "hypervisor.migrate-abort", "console.attach");
    }

    private Permissions() {
    }

    private static void need(Need need, String... ops) {
        for (String op : ops) {
            TABLE.put(op, need);
        }
    }

    /** The table: {@code service.op} → what it needs (cluster.put/delete depend on the type, see {@link #of}). */
    public static Map<String, Need> table() {
        Map<String, Need> t = new TreeMap<>(TABLE);
        t.put("cluster.put", Need.OPERATOR);
        t.put("cluster.delete", Need.OPERATOR);
        return t;
    }

    /** What {@code service.op} with these arguments needs. */
    public static Need of(String service, String op, JsonNode args) {
        String name = service + "." + op;
        if (service.equals("cluster") && (op.equals("put") || op.equals("delete"))) {
            ObjectType type = typeOf(args);
            return type == null || OPERATOR_TYPES.contains(type) ? Need.OPERATOR : Need.ADMIN;
        }
        return TABLE.getOrDefault(name, Need.ADMIN);
    }

    /**
     * FORBIDDEN, naming the rule, the operation and the caller, unless the session may run the
     * request; then the host resources its spec names, if any, for a caller who is not admin.
     */
    static void require(Request request, Session session) {
        ApiIdentity who = session.identity();
        if (request.service().equals("cluster") && (request.op().equals("put") || request.op().equals("delete"))
                && typeOf(request.args()) == ObjectType.TASK) {
            throw new AcpException(ErrorCode.FORBIDDEN, "rule task-log: tasks are written only by the node that ran them, never through "
                    + "cluster." + request.op() + "; key '" + who.name() + "' (" + who.role().wireName() + ") may read them with task.list and task.show");
        }
        Need need = of(request.service(), request.op(), request.args());
        String what = request.service() + "." + request.op();
        if (need == Need.NODE) {
            AgentPeer peer = session.peer();
            if (peer == null || !peer.node() || who.viaNode() == null) {
                throw new AcpException(ErrorCode.FORBIDDEN, "rule node-only: " + what + " is called only by nodes (with a node certificate "
                        + "on the agent), never with a user's key; key '" + who.name() + "' (" + who.role().wireName() + ") may not call it");
            }
            if (!who.role().mayWrite()) {
                throw forbidden(what, who, Need.OPERATOR);
            }
            return;
        }
        if (!allows(who.role(), need)) {
            throw forbidden(what, who, need);
        }
        if (who.role() != Role.ADMIN) {
            List<String> host = hostResources(request);
            if (!host.isEmpty()) {
                throw new AcpException(ErrorCode.FORBIDDEN, "rule host-resources: " + what + " of " + objectOf(request) + " names host resources ("
                        + String.join(", ", host) + "), which only admin may use; key '" + who.name() + "' has role " + who.role().wireName());
            }
        }
    }

    /** True if a key of {@code role} may call an operation needing {@code need} (never a node-only one). */
    public static boolean allows(Role role, Need need) {
        return switch (need) {
            case READ -> true;
            case OPERATOR -> role.mayWrite();
            case ADMIN -> role == Role.ADMIN;
            case NODE -> false;
        };
    }

    private static AcpException forbidden(String what, ApiIdentity who, Need need) {
        return new AcpException(ErrorCode.FORBIDDEN, "rule roles: " + what + " needs " + need.wireName() + (need == Need.OPERATOR ? " or admin" : "")
                + "; key '" + who.name() + "' has role " + who.role().wireName() + " (see the role table in docs/security.md)");
    }

    /** The raw host paths, host bridges and privileged mount options a request's spec names. */
    static List<String> hostResources(Request request) {
        JsonNode args = request.args();
        String op = request.service() + "." + request.op();
        List<String> out = new ArrayList<>();
        if (op.equals("hypervisor.create") || op.equals("hypervisor.set") || (op.equals("cluster.put") && typeOf(args) == ObjectType.SYSTEM)) {
            JsonNode spec = args.path("spec");
            int i = 0;
            for (JsonNode d : spec.path("disks")) {
                if (d.has("path")) {
                    out.add("disks[" + i + "].path " + d.path("path").asText());
                }
                i++;
            }
            i = 0;
            for (JsonNode n : spec.path("interfaces")) {
                if (n.has("bridge")) {
                    out.add("interfaces[" + i + "].bridge " + n.path("bridge").asText());
                }
                i++;
            }
        }
        if (op.equals("storage.share.add") || op.equals("storage.pool.create") || (op.equals("cluster.put") && typeOf(args) == ObjectType.STORAGE)) {
            JsonNode spec = args.path("spec");
            if (spec.path("options").isTextual()) {
                ShareOptions.privileged(spec.path("options").asText()).forEach(o -> out.add("mount option " + o));
            }
            if (spec.path("path").isTextual()) {
                out.add("pool path " + spec.path("path").asText());
            }
        }
        return out;
    }

    private static String objectOf(Request request) {
        JsonNode args = request.args();
        String type = args.path("type").asText(request.service().equals("hypervisor") ? "system" : "object");
        return type + " " + args.path("id").asText("?");
    }

    private static ObjectType typeOf(JsonNode args) {
        try {
            return args == null || !args.path("type").isTextual() ? null : ObjectType.parse(args.path("type").asText());
        } catch (IllegalArgumentException e) {
            return null; // the operation answers bad_request itself
        }
    }
}
