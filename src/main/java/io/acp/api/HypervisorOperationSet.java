package io.acp.api;

import io.acp.console.HypervisorConsoles;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.Systems;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;

/**
 * The hypervisor's operations ({@code hypervisor}: systems, migrations, snapshots, backups,
 * templates), the consoles of this node's systems, and, on a node that runs the hypervisor
 * service, its scheduled backups and progress reports recorded as tasks like requested work.
 */
@Singleton
public final class HypervisorOperationSet implements OperationSet {

    private final Supplier<Systems> systems;
    private final HypervisorService service; // null: tasks are not hooked (a test's systems)

    @Inject
    HypervisorOperationSet(HypervisorService service) {
        this.systems = service::systems;
        this.service = service;
    }

    HypervisorOperationSet(Supplier<Systems> systems) {
        this.systems = systems;
        this.service = null;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        if (service != null) {
            service.recordScheduledWith(api.recorder()::scheduled); // scheduled backups are tasks like requested ones
            service.reportProgressTo(api.taskLog()::progress); // migrations, evacuations and backups say how far they have come
        }
        api.consoles().accept(new HypervisorConsoles(systems, api.vertx(), api.localNode()));
        return List.of(new HypervisorOperations(systems, api.router(), api.localNode()));
    }
}
