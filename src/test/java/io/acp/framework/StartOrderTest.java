package io.acp.framework;

import io.acp.node.ManagedService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartOrderTest {

    private final List<String> log = new ArrayList<>();

    private List<ManagedService> binary() {
        return List.of(
                new FakeService("storage", log),
                new FakeService("agent", log, "api"),
                new FakeService("monitor", log, "cluster"),
                new FakeService("api", log, "cluster"),
                new FakeService("cluster", log));
    }

    private static List<String> names(List<ManagedService> services) {
        return services.stream().map(ManagedService::name).toList();
    }

    @Test
    void dependencies_come_first_and_ties_go_by_name() {
        List<ManagedService> order = StartOrder.of(binary(), List.of("storage", "agent", "monitor", "api", "cluster"));

        assertThat(names(order)).containsExactly("cluster", "storage", "api", "monitor", "agent");
    }

    @Test
    void services_whose_dependencies_run_share_a_level() {
        List<List<ManagedService>> levels = StartOrder.levels(binary(), List.of("storage", "agent", "monitor", "api", "cluster"));

        assertThat(levels).extracting(StartOrderTest::names)
                .containsExactly(List.of("cluster", "storage"), List.of("api", "monitor"), List.of("agent"));
    }

    @Test
    void the_order_does_not_depend_on_how_services_are_listed() {
        List<ManagedService> reversed = new ArrayList<>(binary());
        java.util.Collections.reverse(reversed);

        List<ManagedService> a = StartOrder.of(binary(), List.of("api", "cluster", "monitor"));
        List<ManagedService> b = StartOrder.of(reversed, List.of("monitor", "cluster", "api"));

        assertThat(names(a)).containsExactly("cluster", "api", "monitor").isEqualTo(names(b));
    }

    @Test
    void only_configured_services_are_chosen_and_framework_is_the_manager_itself() {
        List<ManagedService> order = StartOrder.of(binary(), List.of("framework", "cluster", "api", "cluster"));

        assertThat(names(order)).containsExactly("cluster", "api");
    }

    @Test
    void an_unknown_service_name_lists_the_services_that_exist() {
        assertThatThrownBy(() -> StartOrder.of(binary(), List.of("cluster", "hypervizor")))
                .isInstanceOf(AcpException.class)
                .hasMessage("acp.node.services names unknown service 'hypervizor'; this binary has: agent, api, cluster, monitor, storage");
    }

    @Test
    void a_dependency_that_is_not_configured_is_named() {
        assertThatThrownBy(() -> StartOrder.of(binary(), List.of("agent", "api")))
                .isInstanceOf(AcpException.class)
                .hasMessage("service api depends on cluster, which is not in acp.node.services (agent, api)");
    }

    @Test
    void a_dependency_the_binary_lacks_says_so() {
        List<ManagedService> services = List.of(new FakeService("api", log, "clusterx"));

        assertThatThrownBy(() -> StartOrder.of(services, List.of("api")))
                .hasMessageContaining("depends on clusterx")
                .hasMessageEndingWith("this binary has no such service");
    }

    @Test
    void a_cycle_is_shown_as_a_path() {
        List<ManagedService> services = List.of(
                new FakeService("a", log, "b"),
                new FakeService("b", log, "c"),
                new FakeService("c", log, "a"),
                new FakeService("d", log));

        assertThatThrownBy(() -> StartOrder.of(services, List.of("a", "b", "c", "d")))
                .isInstanceOf(AcpException.class)
                .hasMessage("services depend on each other in a cycle: a -> b -> c -> a; remove one of these dependencies");
    }

    @Test
    void two_services_with_one_name_are_refused() {
        List<ManagedService> services = List.of(new FakeService("api", log), new FakeService("api", log));

        assertThatThrownBy(() -> StartOrder.of(services, List.of("api")))
                .hasMessageStartingWith("two services are named api");
    }
}
