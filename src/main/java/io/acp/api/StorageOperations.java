package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.Request;
import io.acp.storage.Storage;
import java.util.List;
import java.util.function.Supplier;

/**
 * Service {@code storage}: this node's pools, volumes, shares and devices. The work runs on the
 * storage service's probe threads; this class only reads arguments and checks the caller may
 * change storage.
 */
final class StorageOperations implements ServiceOperations {

    private static final List<String> OPERATIONS = List.of("list", "show", "pool.create", "pool.delete", "volume.create", "volume.resize",
            "volume.delete", "share.add", "share.remove");
    /** Every change: each runs commands (mount, lvcreate, qemu-img …) bounded by acp.storage.command-timeout (60 s), not the hop limit. */
    private static final List<String> CHANGES = List.of("pool.create", "pool.delete", "volume.create", "volume.resize", "volume.delete",
            "share.add", "share.remove");

    private final Supplier<Storage> storage;

    StorageOperations(Supplier<Storage> storage) {
        this.storage = storage;
    }

    @Override
    public String service() {
        return "storage";
    }

    @Override
    public List<String> operations() {
        return OPERATIONS;
    }

    @Override
    public List<String> jobs() {
        return CHANGES;
    }

    @Override
    public Outcome call(Request request, Session session) {
        String op = request.op();
        if (!OPERATIONS.contains(op)) {
            throw unknown(request);
        }
        Args args = new Args(op, request.args());
        if (CHANGES.contains(op)) {
            session.requireWriter(op);
        }
        Storage s = storage.get();
        return Outcome.deferred(() -> switch (op) {
            case "list" -> s.list();
            case "show" -> s.show(args.text("id"));
            case "pool.create" -> s.createPool(args.text("id"), args.object("spec"));
            case "pool.delete" -> s.deletePool(args.text("id"));
            case "volume.create" -> s.createVolume(args.text("pool"), args.text("name"), size(args), args.optionalText("format"));
            case "volume.resize" -> s.resizeVolume(args.text("pool"), args.text("name"), size(args));
            case "volume.delete" -> s.deleteVolume(args.text("pool"), args.text("name"));
            case "share.add" -> s.addShare(args.text("id"), args.object("spec"));
            default -> s.removeShare(args.text("id"));
        });
    }

    /** {@code size}: bytes as a number, or a text such as "10G". */
    private static String size(Args args) {
        JsonNode n = args.raw("size");
        if (n != null && n.isIntegralNumber()) {
            return n.asText();
        }
        return args.text("size");
    }
}
