package io.acp.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Keeps this process' Micrometer meters within Prometheus' naming rules, so {@code promtool check
 * metrics} accepts the whole of {@code /metrics}: every meter gets help text (some of Vert.x' and
 * Netty's come without), and the two standard meters whose names break the rules are left out
 * ({@code process_cpu_time_ns_total}, an abbreviated unit: {@code process_cpu_usage} says the same;
 * {@code system_cpu_count}, a gauge named like a counter: {@code acp_stat_cpus} says the same), and
 * long task timers (Vert.x' open-connection timers), whose {@code _active_count} and
 * {@code _duration_sum} series the Prometheus client writes without help text.
 */
public class LintCleanMeters {

    @Produces
    @Singleton
    MeterFilter lintClean() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (id.getDescription() != null && !id.getDescription().isBlank()) {
                    return id;
                }
                return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
                        "Micrometer meter " + id.getName() + " of this process", id.getType());
            }
        };
    }

    @Produces
    @Singleton
    MeterFilter withoutRuleBreakingNames() {
        return MeterFilter.deny(id -> id.getName().equals("process.cpu.time") || id.getName().equals("system.cpu.count")
                || id.getType() == Meter.Type.LONG_TASK_TIMER);
    }
}
