package io.acp.framework;

import io.acp.node.ServiceContext;
import io.acp.node.ManagedService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;

/** A CDI-discovered service for the container test; runs only where acp.node.services names it. */
@ApplicationScoped
public class ProbeService implements ManagedService {

    private final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger stops = new AtomicInteger();

    // Methods, not fields: tests hold a client proxy, whose own fields are never set.
    int starts() {
        return starts.get();
    }

    int stops() {
        return stops.get();
    }

    @Override
    public String name() {
        return "probe";
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        starts.incrementAndGet();
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> stop() {
        stops.incrementAndGet();
        return Uni.createFrom().voidItem();
    }
}
