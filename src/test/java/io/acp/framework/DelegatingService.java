package io.acp.framework;

import io.acp.node.Health;
import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import io.smallrye.mutiny.Uni;
import java.util.Set;

/** Passes every call to another service; tests override what they need to add. */
class DelegatingService implements ManagedService {

    private final ManagedService inner;

    DelegatingService(ManagedService inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public Set<String> dependencies() {
        return inner.dependencies();
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return inner.start(context);
    }

    @Override
    public Uni<Void> stop() {
        return inner.stop();
    }

    @Override
    public Health health() {
        return inner.health();
    }
}
