package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.protocol.Request;
import org.junit.jupiter.api.Test;

/**
 * Which routed requests are jobs whose answer is awaited for the caller's bound rather than the
 * short route timeout: every change of a system, and nothing else.
 */
class RemoteRouterTest {

    private static Request request(String service, String op) {
        return new Request(1, "n2", service, op, Json.object(), "key");
    }

    @Test
    void aChangeOfASystemRunsAsAJob() {
        for (String op : new String[] {"restore", "backup", "migrate", "snapshot-create", "snapshot-revert", "template-create", "create", "node-evacuate"}) {
            assertThat(RemoteRouter.runsAsJob(request("hypervisor", op))).as("hypervisor.%s", op).isTrue();
        }
    }

    @Test
    void readsAndOtherServicesKeepTheShortLimit() {
        assertThat(RemoteRouter.runsAsJob(request("hypervisor", "show"))).isFalse();
        assertThat(RemoteRouter.runsAsJob(request("hypervisor", "backup-list"))).isFalse();
        assertThat(RemoteRouter.runsAsJob(request("cluster", "put"))).isFalse();
        assertThat(RemoteRouter.runsAsJob(request("storage", "restore"))).isFalse();
        assertThat(RemoteRouter.runsAsJob(request("framework", "status"))).isFalse();
    }
}
