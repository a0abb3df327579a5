package io.acp.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.node.ServiceDirectory;
import io.acp.node.ServiceStatus;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.Request;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/** Service {@code framework}: the node and its services. */
final class FrameworkOperations implements ServiceOperations {

    private final String localNode;
    private final String version;
    private final ServiceDirectory directory;
    private final Supplier<Cdb> cdb;

    FrameworkOperations(String localNode, String version, ServiceDirectory directory, Supplier<Cdb> cdb) {
        this.localNode = localNode;
        this.version = version;
        this.directory = directory;
        this.cdb = cdb;
    }

    @Override
    public String service() {
        return "framework";
    }

    @Override
    public List<String> operations() {
        return List.of("status", "services");
    }

    @Override
    public Outcome call(Request request, Session session) {
        switch (request.op()) {
            case "status":
                return Outcome.of(status());
            case "services":
                return Outcome.of(services());
            default:
                throw unknown(request);
        }
    }

    private ObjectNode status() {
        Instant started = directory.startedAt();
        ObjectNode o = Json.object();
        o.put("node", localNode);
        o.put("version", version);
        o.put("startedAt", started.toString());
        o.put("uptimeMs", Duration.between(started, Instant.now()).toMillis());
        try {
            Cdb c = cdb.get();
            o.put("objects", c.objectCount());
            o.put("readiness", c.readiness().wireName());
            // `acp node evacuate` marks the node object; until `acp node resume` nothing is placed here
            o.put("schedulable", c.object(ObjectKey.of(ObjectType.NODE, localNode))
                    .map(node -> !node.spec().path("unschedulable").isObject())
                    .orElse(true));
        } catch (AcpException e) {
            o.putNull("objects"); // cluster service not running: the status still answers
            o.putNull("readiness");
            o.putNull("schedulable");
        }
        o.set("services", services());
        return o;
    }

    private ArrayNode services() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ServiceStatus s : directory.statuses()) {
            ObjectNode o = out.addObject();
            o.put("name", s.name());
            o.put("state", s.state().wireName());
            o.put("healthy", s.health().healthy());
            o.put("detail", s.health().detail());
            o.put("since", s.since() == null ? null : s.since().toString());
            o.put("restarts", s.restarts());
            o.put("lastError", s.lastError());
            ArrayNode deps = o.putArray("dependencies");
            s.dependencies().forEach(deps::add);
        }
        return out;
    }
}
