package io.acp.metrics;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * This process' {@code jvm_*}, {@code process_*} and {@code system_*} meters (docs/metrics.md),
 * bound only where something can read them: in a JVM whose HTTP listener (and so {@code /metrics}
 * and {@code /q/metrics}) exists, i.e. {@code acp node run} with {@code webapi}. Quarkus' own JVM
 * and system binders are switched off at build time ({@code quarkus.micrometer.binder.jvm},
 * {@code .system}) because Quarkus binds them in every start, webapi or not: about 5 % of the main
 * thread's start of a default node (JMX beans, GC notification listeners, a gauge per memory pool),
 * for meters no one could scrape. The same binders, in the same order, onto the same (global)
 * registry as Quarkus 3.33's {@code MicrometerRecorder}, so the series are the same.
 */
@Singleton
public class ProcessMeters {

    private final boolean served;
    private JvmGcMetrics gc;
    private JvmHeapPressureMetrics heapPressure;

    ProcessMeters(@ConfigProperty(name = "quarkus.http.host-enabled", defaultValue = "true") boolean served) {
        this.served = served;
    }

    void bind(@Observes StartupEvent started) {
        if (!served) {
            return;
        }
        var registry = Metrics.globalRegistry;
        new ClassLoaderMetrics().bindTo(registry);
        heapPressure = new JvmHeapPressureMetrics();
        heapPressure.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JVMInfoBinder().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    void close(@Observes ShutdownEvent stopping) {
        if (gc != null) {
            gc.close();
        }
        if (heapPressure != null) {
            heapPressure.close();
        }
    }

    /** Whether the meters were bound (the listener that serves them exists). */
    boolean bound() {
        return gc != null;
    }
}
