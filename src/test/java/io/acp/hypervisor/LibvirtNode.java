package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.node.ServiceContext;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A hypervisor service on real libvirt ({@code test:///default} unless told otherwise) with an
 * in-memory CDB. Each node gets its own connection, and so its own fresh test-driver state.
 */
final class LibvirtNode implements AutoCloseable {

    static final String NODE = "n1";
    static final Duration WAIT = Duration.ofSeconds(10);

    private static final java.util.concurrent.atomic.AtomicInteger IDS = new java.util.concurrent.atomic.AtomicInteger();

    final Cdb cdb = Cdb.inMemory(NODE);
    /** The backend the service uses: the real one behind switches. */
    final AtomicReference<DelegatingBackend> backend = new AtomicReference<>();
    final HypervisorService service;

    private LibvirtNode(HypervisorConfig config) {
        service = new HypervisorService(config, NODE, () -> cdb, () -> {
            DelegatingBackend b = new DelegatingBackend(new LibvirtBackend(config.uri(), NODE));
            backend.set(b);
            return b;
        });
    }

    static LibvirtNode start(HypervisorConfig config) {
        LibvirtNode node = new LibvirtNode(config);
        node.service.start(new ServiceContext() {
            @Override
            public String nodeId() {
                return NODE;
            }

            @Override
            public void failed(Throwable cause) {
            }
        }).await().atMost(WAIT);
        return node;
    }

    static LibvirtNode start() {
        return start(TestHypervisorConfig.testDriver());
    }

    /**
     * A system id no other test of this JVM uses: libvirt shares one test:///default state among
     * the connections of a process while any of them is open.
     */
    static String uniqueId(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    }

    Systems systems() {
        return service.systems();
    }

    @Override
    public void close() {
        service.stop().await().atMost(WAIT);
    }
}
