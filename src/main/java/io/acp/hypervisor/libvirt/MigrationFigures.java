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

    /** VIR_DOMAIN_JOB_NONE: no job runs on the domain. */
    private static final int NO_JOB = 0;

    /**
     * The running job's data processed of its total, in bytes (virDomainGetJobInfo: memory plus
     * disks copied, which grows while dirty pages are sent again); empty when no job runs.
     */
    static java.util.Optional<io.acp.model.Progress> running(Domain d) throws LibvirtException {
        org.libvirt.DomainJobInfo job = d.getJobInfo();
        if (job == null || job.getType() == NO_JOB) {
            return java.util.Optional.empty();
        }
        long total = Math.max(0, job.getDataTotal());
        long done = Math.max(0, job.getDataProcessed());
        if (total == 0 && job.getDataRemaining() > 0) {
            total = done + job.getDataRemaining();
        }
        return java.util.Optional.of(new io.acp.model.Progress(done, total, "bytes", "copying memory"));
    }

    /** Whether a job runs on the domain (virDomainGetJobInfo); a driver without jobs (the test driver) runs none. */
    static boolean jobRunning(Domain d) throws LibvirtException {
        try {
            org.libvirt.DomainJobInfo job = d.getJobInfo();
            return job != null && job.getType() != NO_JOB;
        } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_SUPPORT) {
                return false;
            }
            throw e;
        }
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
