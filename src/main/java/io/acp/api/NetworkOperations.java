package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.network.NetworkCatalog;
import io.acp.network.NetworkService;
import io.acp.protocol.AcpException;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Service {@code network}: the cluster's networks (create, list, show, delete: CDB objects any
 * node can answer for) and this node's ports (attach, detach: run by its network service).
 */
final class NetworkOperations implements ServiceOperations {

    private static final List<String> CHANGES = List.of("create", "delete", "attach", "detach");

    private final Supplier<Cdb> cdb;
    private final Supplier<NetworkService> network;

    NetworkOperations(Supplier<Cdb> cdb, Supplier<NetworkService> network) {
        this.cdb = cdb;
        this.network = network;
    }

    @Override
    public String service() {
        return "network";
    }

    @Override
    public List<String> operations() {
        return List.of("create", "list", "show", "delete", "attach", "detach");
    }

    @Override
    public Outcome call(Request request, Session session) {
        String op = request.op();
        if (!operations().contains(op)) {
            throw unknown(request);
        }
        Args args = new Args(op, request.args());
        if (CHANGES.contains(op)) {
            session.requireWriter(op + " networks");
        }
        return switch (op) {
            case "list" -> Outcome.deferred(() -> Uni.createFrom().item(catalog().list()));
            case "show" -> Outcome.deferred(() -> Uni.createFrom().item(catalog().show(args.text("id"))));
            case "create" -> {
                String id = args.text("id");
                String subtype = args.text("subtype");
                JsonNode spec = args.object("spec");
                yield Outcome.deferred(() -> catalog().create(id, subtype, spec));
            }
            case "delete" -> Outcome.deferred(() -> catalog().delete(args.text("id")));
            case "attach" -> {
                String id = args.text("id");
                String iface = args.text("interface");
                Optional<Integer> vlan = vlan(args);
                yield Outcome.deferred(() -> network.get().attach(id, iface, vlan));
            }
            default -> {
                String id = args.text("id");
                String iface = args.text("interface");
                yield Outcome.deferred(() -> network.get().detach(id, iface));
            }
        };
    }

    private static Optional<Integer> vlan(Args args) {
        JsonNode v = args.raw("vlan");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 4094) {
            throw AcpException.badRequest("attach: invalid VLAN id " + v + ": VLAN ids are 1..4094");
        }
        return Optional.of(v.asInt());
    }

    private NetworkCatalog catalog() {
        return new NetworkCatalog(cdb.get());
    }
}
