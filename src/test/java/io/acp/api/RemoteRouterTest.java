package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Json;
import io.acp.protocol.Request;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which routed requests are jobs whose answer is awaited for the caller's bound rather than the
 * short route timeout, as a real node's operation sets declare them: every change of a system and
 * every change of storage, and nothing else.
 */
class RemoteRouterTest extends WithNode {

    private static Request request(String service, String op) {
        return new Request(1, "n2", service, op, Json.object(), "key");
    }

    @Test
    void exactlyTheChangesOfSystemsAndOfStorageRunAsJobs() {
        List<String> jobs = new ArrayList<>();
        node.api.operations().forEach((service, ops) -> ops.stream().filter(op -> node.api.runsAsJob(request(service, op)))
                .forEach(op -> jobs.add(service + "." + op)));
        assertThat(new TreeSet<>(jobs)).containsExactlyElementsOf(new TreeSet<>(List.of(
                "hypervisor.create", "hypervisor.set", "hypervisor.define", "hypervisor.start", "hypervisor.stop", "hypervisor.shutdown",
                "hypervisor.pause", "hypervisor.resume", "hypervisor.restart", "hypervisor.delete", "hypervisor.migrate",
                "hypervisor.migrate-prepare", "hypervisor.migrate-confirm", "hypervisor.migrate-abort", "hypervisor.snapshot-create",
                "hypervisor.snapshot-revert", "hypervisor.snapshot-delete", "hypervisor.backup", "hypervisor.restore",
                "hypervisor.template-create", "hypervisor.template-delete", "hypervisor.node-evacuate", "hypervisor.node-resume",
                "storage.pool.create", "storage.pool.delete", "storage.volume.create", "storage.volume.resize", "storage.volume.delete",
                "storage.share.add", "storage.share.remove")));
    }

    @Test
    void readsUnknownOperationsAndUnknownServicesKeepTheShortLimit() {
        assertThat(node.api.runsAsJob(request("hypervisor", "show"))).isFalse();
        assertThat(node.api.runsAsJob(request("hypervisor", "backup-list"))).isFalse();
        assertThat(node.api.runsAsJob(request("storage", "list"))).isFalse();
        assertThat(node.api.runsAsJob(request("storage", "restore"))).isFalse();
        assertThat(node.api.runsAsJob(request("cluster", "put"))).isFalse();
        assertThat(node.api.runsAsJob(request("nosuch", "create"))).isFalse();
    }

    @Test
    void aJobThatIsNoOperationOfItsServiceIsRefusedNamingIt() {
        ServiceOperations wrong = new ServiceOperations() {
            @Override
            public String service() {
                return "demo";
            }

            @Override
            public List<String> operations() {
                return List.of("run");
            }

            @Override
            public List<String> jobs() {
                return List.of("copy");
            }

            @Override
            public Outcome call(Request request, Session session) {
                throw unknown(request);
            }
        };
        ApiContext api = new ApiContext("n1", vertx, Runnable::run, () -> null, null, null, endpoints -> { });
        assertThatThrownBy(() -> OperationCatalogue.collect(List.of(wrong), List.of(), api))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("rule job-is-operation").hasMessageContaining("'copy'")
                .hasMessageContaining("service 'demo'");
    }
}
