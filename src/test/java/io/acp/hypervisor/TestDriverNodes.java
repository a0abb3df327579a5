package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.node.NodeCalls;
import io.acp.node.ServiceContext;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Hypervisor services of several nodes in one JVM, each on its OWN libvirt test driver: a
 * {@code test:///<file>} URI naming a node XML of its own gives every connection private state
 * (only {@code test:///default} is shared by a process), so the nodes' domains are as separate as
 * on real machines. Their CDBs are given (e.g. the nodes of an {@code InProcessCluster}).
 */
final class TestDriverNodes implements AutoCloseable {

    /** One node: its service, and the backend it uses (to look at its domains). */
    record Node(String id, HypervisorService service, AtomicReference<DelegatingBackend> backend) {
        Systems systems() {
            return service.systems();
        }

        DelegatingBackend libvirt() {
            return backend.get();
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();

    /** Starts a hypervisor service for each node id over the CDB {@code cdbs} gives it, with drivers in {@code dir}. */
    static TestDriverNodes start(Path dir, Map<String, Supplier<Cdb>> cdbs) {
        TestDriverNodes all = new TestDriverNodes();
        try {
            for (Map.Entry<String, Supplier<Cdb>> e : cdbs.entrySet()) {
                String id = e.getKey();
                Path xml = dir.resolve(id + "-libvirt.xml");
                Files.writeString(xml, "<node>\n</node>\n");
                HypervisorConfig config = TestHypervisorConfig.testDriver().withUri("test://" + xml.toAbsolutePath());
                AtomicReference<DelegatingBackend> backend = new AtomicReference<>();
                HypervisorService service = new HypervisorService(config, id, e.getValue(), () -> {
                    DelegatingBackend b = new DelegatingBackend(new LibvirtBackend(config.uri(), id));
                    backend.set(b);
                    return b;
                });
                service.start(context(id)).await().atMost(LibvirtNode.WAIT);
                all.nodes.put(id, new Node(id, service, backend));
            }
        } catch (IOException e) {
            all.close();
            throw new UncheckedIOException(e);
        }
        return all;
    }

    Node node(String id) {
        return nodes.get(id);
    }

    /**
     * Calls between these nodes without an agent: the hypervisor operations a node sends another,
     * answered by that node's service directly (the agent path is tested in MigrationThroughAgentsTest).
     */
    NodeCalls calls() {
        return (node, service, op, args) -> Uni.createFrom().deferred(() -> {
            Systems s = nodes.get(node).systems();
            String id = args.path("id").asText();
            Uni<ObjectNode> answer = switch (op) {
                case "create" -> s.create(id, args.get("spec"), calls());
                // The calling node, as a node certificate would name it: the source of the migration.
                case "migrate-prepare" -> {
                    preparedFrom.put(id, args.path("from").asText());
                    yield s.acceptMigration(id, args.get("spec"), args.path("from").asText(), args.path("live").asBoolean(),
                        args.path("running").asBoolean(), args.path("from").asText());
                }
                case "migrate-confirm" -> s.confirmMigration(id, args.path("start").asBoolean(), sourceOf(id));
                case "migrate-abort" -> s.abortMigration(id, sourceOf(id));
                default -> throw AcpException.badRequest("no such test call " + op);
            };
            return answer.map(JsonNode.class::cast);
        });
    }

    /** The node that prepared a system's migration last: the one whose certificate an honest agent would show. */
    private final java.util.Map<String, String> preparedFrom = new java.util.concurrent.ConcurrentHashMap<>();

    private String sourceOf(String id) {
        return preparedFrom.getOrDefault(id, "");
    }

    static ServiceContext context(String id) {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return id;
            }

            @Override
            public void failed(Throwable cause) {
            }
        };
    }

    @Override
    public void close() {
        for (Node n : nodes.values()) {
            try {
                n.service().stop().await().atMost(LibvirtNode.WAIT);
            } catch (RuntimeException e) {
                // close the others
            }
        }
    }
}
