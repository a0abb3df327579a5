package io.acp.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The process meters exist where a listener serves them, and only there. */
class ProcessMetersTest {

    @Test
    void withoutTheListenerNothingIsBound() {
        ProcessMeters meters = new ProcessMeters(false);
        meters.bind(null);
        assertThat(meters.bound()).isFalse();
        meters.close(null);
    }

    @Test
    void withTheListenerTheJvmProcessAndSystemMetersAreBoundToTheGlobalRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics.globalRegistry.add(registry);
        ProcessMeters meters = new ProcessMeters(true);
        try {
            meters.bind(null);
            assertThat(meters.bound()).isTrue();
            for (String name : new String[] {"jvm.memory.used", "jvm.threads.live", "jvm.classes.loaded", "jvm.info", "jvm.gc.overhead",
                    "process.uptime", "process.cpu.usage", "process.files.open"}) {
                assertThat(registry.find(name).meters()).as(name).isNotEmpty();
            }
        } finally {
            meters.close(null);
            Metrics.globalRegistry.remove(registry);
            registry.close();
        }
    }
}
