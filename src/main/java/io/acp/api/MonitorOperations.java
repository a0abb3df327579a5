package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.monitor.MonitorQueries;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Service {@code monitor}: the health the primary monitor published and the alarms, read from this
 * node's CDB, so every node answers whether it runs a monitor or not. Reads run on a worker
 * (they scan the alarm table); an ack is a conditional write of the alarm object.
 */
final class MonitorOperations implements ServiceOperations {

    private final Supplier<Cdb> cdb;
    private final Executor worker;

    MonitorOperations(Supplier<Cdb> cdb, Executor worker) {
        this.cdb = cdb;
        this.worker = worker;
    }

    @Override
    public String service() {
        return "monitor";
    }

    @Override
    public List<String> operations() {
        return List.of("health", "alarms", "ack");
    }

    @Override
    public Outcome call(Request request, Session session) {
        Args args = new Args(request.op(), request.args());
        switch (request.op()) {
            case "health":
                return onWorker(() -> MonitorQueries.health(cdb.get()));
            case "alarms":
                boolean all = args.flag("all");
                return onWorker(() -> MonitorQueries.alarms(cdb.get(), all));
            case "ack":
                String id = args.text("id");
                session.requireWriter("acknowledge alarms");
                ApiIdentity who = session.identity();
                return new Outcome.Single(Uni.createFrom().deferred(() -> MonitorQueries.ack(cdb.get(), id, who.name()))
                        .runSubscriptionOn(worker));
            default:
                throw unknown(request);
        }
    }

    private Outcome onWorker(Supplier<JsonNode> work) {
        return new Outcome.Single(Uni.createFrom().item(work).runSubscriptionOn(worker));
    }
}
