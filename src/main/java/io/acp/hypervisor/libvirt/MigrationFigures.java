package io.acp.hypervisor.libvirt;

import java.util.LinkedHashMap;
import java.util.Map;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;

/** The figures libvirt keeps of a domain's last completed migration job (virDomainGetJobStats, COMPLETED). */
final class MigrationFigures {

    /** VIR_DOMAIN_JOB_STATS_COMPLETED: the last completed job rather than the current one. */
    private static final int COMPLETED = 1;

    private MigrationFigures() {
    }

    /** {@code downtimeMs} and {@code elapsedMs} where libvirt reports them; empty when no job completed. */
    static Map<String, Long> completed(Domain d) throws LibvirtException {
        TypedParameter[] stats = d.getJobStats(COMPLETED).stats;
        Map<String, Long> figures = new LinkedHashMap<>();
        if (stats == null) {
            return figures;
        }
        for (TypedParameter p : stats) {
            String key = switch (p.field) {
                case "downtime" -> "downtimeMs";
                case "time_elapsed" -> "elapsedMs";
                default -> null;
            };
            if (key != null) {
                figures.put(key, Long.parseLong(p.getValueAsString()));
            }
        }
        return figures;
    }
}
