package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.history.HistoryPoints;
import io.acp.cluster.history.HistoryRange;
import io.acp.cluster.history.StatsHistory;
import io.acp.cluster.sync.SecretRotation;
import io.acp.cluster.sync.membership.MembershipMeta;
import io.acp.hypervisor.RunningDelete;
import io.acp.model.Entry;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Service {@code cluster}: the CDB's objects, meta and stats, and their change stream. Writes and
 * whole-table reads run on a worker; single-entry reads are map lookups and answer at once.
 */
final class ClusterOperations implements ServiceOperations {

    private final String localNode;
    private final Supplier<Cdb> cdb;
    private final Supplier<StatsHistory> history;
    private final Supplier<SecretRotation> secretRotation;
    private final Executor worker;

    ClusterOperations(String localNode, Supplier<Cdb> cdb, Supplier<StatsHistory> history, Supplier<SecretRotation> secretRotation, Executor worker) {
        this.localNode = localNode;
        this.cdb = cdb;
        this.history = history;
        this.secretRotation = secretRotation;
        this.worker = worker;
    }

    @Override
    public String service() {
        return "cluster";
    }

    @Override
    public List<String> operations() {
        return List.of("list", "get", "put", "delete", "meta", "stats", "history", "watch", "rotate-secret");
    }

    @Override
    public Outcome call(Request request, Session session) {
        Args args = new Args(request.op(), request.args());
        switch (request.op()) {
            case "list":
                return list(args);
            case "get":
                return get(args);
            case "put":
                session.requireWriter("put" + " cluster objects");
                return put(args);
            case "delete":
                session.requireWriter("delete" + " cluster objects");
                return delete(args);
            case "meta":
                return meta(args);
            case "stats":
                return stats(args);
            case "history":
                return history(args);
            case "watch":
                return watch(args);
            case "rotate-secret":
                return rotateSecret(args);
            default:
                throw unknown(request);
        }
    }

    private Outcome list(Args args) {
        ObjectQuery q = new ObjectQuery(args.optionalType(), args.optionalText("subtype"), null, args.optionalText("node"), args.flag("deleted"));
        Cdb c = cdb.get();
        // while syncing it may lack objects it has not pulled yet: answered once ready (bounded wait)
        return new Outcome.Single(c.whenReady("a list of objects")
                .emitOn(worker)
                .map(ready -> (JsonNode) entries(c.objects(q))));
    }

    private Outcome get(Args args) {
        ObjectKey key = args.key();
        Cdb c = cdb.get();
        return Outcome.of(c.object(key).map(EntryJson::toJson).orElseThrow(() -> {
            c.requireReady("object " + key); // absent here may only mean not pulled yet
            return AcpException.notFound("object " + key);
        }));
    }

    private Outcome put(Args args) {
        ObjectKey key = args.key();
        String subtype = args.optionalText("subtype");
        if (!key.type().allowsSubtype(subtype)) {
            throw AcpException.badRequest("put " + key + ": " + (key.type().subtypes().isEmpty()
                    ? "type " + key.type().wireName() + " has no subtypes"
                    : "subtype must be one of " + key.type().subtypes()) + ", got '" + subtype + "'");
        }
        ObjectNode spec = args.object("spec");
        ObjectSpecs.check(key, subtype, spec);
        Version expected = expectedVersion(args);
        return new Outcome.Single(Uni.createFrom().deferred(() -> cdb.get().putObject(key, subtype, spec, expected))
                .runSubscriptionOn(worker)
                .map(EntryJson::toJson));
    }

    /**
     * Writes the object's tombstone. A system's node then removes its domain (see SystemMonitor),
     * so a system that runs or is paused is refused unless {@code force} (rule running-delete).
     */
    private Outcome delete(Args args) {
        ObjectKey key = args.key();
        boolean force = args.flag("force");
        if (force && key.type() != io.acp.model.ObjectType.SYSTEM) {
            throw AcpException.badRequest("delete " + key + ": 'force' is for systems only (rule running-delete); nothing else is refused for running");
        }
        if (key.type() == io.acp.model.ObjectType.SYSTEM && !force) {
            RunningDelete.requireNotRunning(cdb.get(), key.id());
        }
        return new Outcome.Single(Uni.createFrom().deferred(() -> cdb.get().deleteObject(key))
                .runSubscriptionOn(worker)
                .map(EntryJson::toJson));
    }

    /**
     * One step of the cluster secret's rotation on this node (admin only, see Permissions):
     * {@code status} changes nothing and names the nodes that report themselves in the CDB (the
     * members to rotate); {@code accept}, {@code send}, {@code retire} move the key slots.
     */
    private Outcome rotateSecret(Args args) {
        String step = args.text("step");
        if (step.equals("status")) {
            ObjectNode result = Json.object().put("node", localNode);
            ArrayNode members = result.putArray("members");
            cdb.get().reportedKeys(io.acp.model.ObjectType.NODE).forEach(k -> members.add(k.id()));
            return Outcome.of(result);
        }
        SecretRotation.Step parsed;
        try {
            parsed = SecretRotation.Step.parse(step);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("rotate-secret: " + e.getMessage() + " (or status)");
        }
        java.util.Optional<String> secret = java.util.Optional.ofNullable(args.optionalText("secret"));
        return new Outcome.Single(Uni.createFrom().item(() -> perform(parsed, secret))
                .runSubscriptionOn(worker));
    }

    private JsonNode perform(SecretRotation.Step step, java.util.Optional<String> secret) {
        try {
            SecretRotation.Slots slots = secretRotation.get().perform(step, secret);
            return Json.object().put("node", slots.node()).put("step", step.wireName()).put("previous", slots.previousPresent());
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw new AcpException(io.acp.protocol.ErrorCode.CONFLICT, e.getMessage());
        }
    }

    private Outcome meta(Args args) {
        return Outcome.of(reports(cdb.get().meta(args.key(), args.optionalText("node"))));
    }

    private Outcome stats(Args args) {
        ObjectKey key = args.key();
        String node = args.optionalText("node");
        if (!args.flag("history")) {
            return Outcome.of(reports(cdb.get().stats(key, node)));
        }
        if (node == null) {
            throw AcpException.badRequest("stats with history needs the argument 'node'");
        }
        return Outcome.of(reports(cdb.get().statsHistory(key, node)));
    }

    /**
     * The stats history of an object as this node reported it, over {@code range} (1h, 1d, 30d):
     * per metric, the average of each step. Each node keeps only its own reports: a request for
     * another node's history must be sent to that node.
     */
    private Outcome history(Args args) {
        ObjectKey key = args.key();
        String node = args.optionalText("node");
        if (node != null && !node.equals(localNode)) {
            throw AcpException.badRequest("history: node " + localNode + " keeps only the history of its own reports; "
                    + "send the request for node " + node + "'s history to node " + node + " (request field 'node', CLI --node " + node + ")");
        }
        HistoryRange range = HistoryRange.parse(args.has("range") ? args.text("range") : "1h");
        List<String> metrics = metrics(args);
        return onWorker(() -> {
            StatsHistory h = history.get();
            if (!h.has(key) && cdb.get().object(key).isEmpty() && cdb.get().stats(key, null).isEmpty()) {
                throw AcpException.notFound("stats history of " + key + " on node " + localNode);
            }
            long now = System.currentTimeMillis();
            ObjectNode out = Json.object();
            out.put("type", key.type().wireName());
            out.put("id", key.id());
            out.put("node", localNode);
            out.put("range", range.wireName());
            out.put("stepMillis", range.stepMillis());
            out.put("from", now - range.spanMillis());
            out.put("to", now);
            ArrayNode series = out.putArray("series");
            for (HistoryPoints p : h.query(key, metrics, range, now)) {
                ObjectNode one = series.addObject();
                one.put("metric", p.metric());
                ArrayNode points = one.putArray("points");
                for (int i = 0; i < p.size(); i++) {
                    ArrayNode point = points.addArray();
                    point.add(p.times()[i]);
                    addNumber(point, p.values()[i]);
                }
            }
            return out;
        });
    }

    private static List<String> metrics(Args args) {
        JsonNode m = args.raw("metrics");
        List<String> out = new ArrayList<>();
        if (m == null || m.isNull()) {
            return out;
        }
        if (!m.isArray()) {
            throw AcpException.badRequest("history: argument 'metrics' must be an array of metric names");
        }
        m.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A float as its shortest decimal; whole numbers as integers. */
    private static void addNumber(ArrayNode to, float v) {
        double d = Double.parseDouble(Float.toString(v));
        if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
            to.add((long) d);
        } else {
            to.add(d);
        }
    }

    private Outcome watch(Args args) {
        ChangeFilter filter = new ChangeFilter(kinds(args), args.optionalType(), args.optionalText("id"), args.optionalText("node"));
        return new Outcome.Stream(cdb.get().changes(filter).map(e -> (JsonNode) EntryJson.toJson(e)));
    }

    private static Set<Entry.Kind> kinds(Args args) {
        JsonNode kinds = args.raw("kinds");
        if (kinds == null || kinds.isNull()) {
            return null;
        }
        if (!kinds.isArray()) {
            throw AcpException.badRequest("watch: argument 'kinds' must be an array of \"object\", \"meta\", \"stats\"");
        }
        Set<Entry.Kind> out = EnumSet.noneOf(Entry.Kind.class);
        for (JsonNode k : kinds) {
            try {
                out.add(Entry.Kind.valueOf(k.asText("").toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw AcpException.badRequest("watch: unknown kind " + k + "; expected \"object\", \"meta\" or \"stats\"");
            }
        }
        return out;
    }

    /** {@code ifVersion}: absent = unconditional, null = must not exist, else the exact version. */
    private static Version expectedVersion(Args args) {
        if (!args.has("ifVersion")) {
            return null;
        }
        JsonNode v = args.raw("ifVersion");
        if (v.isNull()) {
            return Cdb.ABSENT;
        }
        if (!v.isTextual()) {
            throw AcpException.badRequest("put: 'ifVersion' must be a version string like \"18c2f3a1b2c40000@n1\", or null");
        }
        try {
            return EntryJson.parseVersion(v.asText());
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("put: " + e.getMessage());
        }
    }

    private Outcome onWorker(Supplier<JsonNode> work) {
        return new Outcome.Single(Uni.createFrom().item(work).runSubscriptionOn(worker));
    }

    private static ArrayNode entries(List<? extends Entry> entries) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        entries.forEach(e -> out.add(EntryJson.toJson(e)));
        return out;
    }

    /** Meta or stats entries; those of a node this node sees as dead carry {@code "stale": true}. */
    private ArrayNode reports(List<? extends Entry> reports) {
        Cdb db = cdb.get();
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Entry e : reports) {
            ObjectNode json = EntryJson.toJson(e);
            if (MembershipMeta.deadInViewOf(db, localNode, e.node())) {
                json.put("stale", true);
            }
            out.add(json);
        }
        return out;
    }
}
