package io.acp.hypervisor.libvirt;

import io.acp.hypervisor.BackupJob;
import org.libvirt.Domain;
import org.libvirt.DomainJobStats;
import org.libvirt.LibvirtException;
import org.libvirt.TypedParameter;

/** A domain's backup job from virDomainGetJobInfo (running?) and virDomainGetJobStats (how the last one ended). */
final class BackupJobs {

    /** virDomainJobType: NONE, then BOUNDED/UNBOUNDED while a job runs, COMPLETED, FAILED, CANCELLED. */
    private static final int NONE = 0;
    private static final int FAILED = 4;
    private static final int CANCELLED = 5;
    /** VIR_DOMAIN_JOB_STATS_COMPLETED: the last completed job rather than the current one. */
    private static final int STATS_COMPLETED = 1;

    private BackupJobs() {
    }

    static BackupJob of(Domain d) throws LibvirtException {
        if (d.getJobInfo().getType() != NONE) {
            return BackupJob.running();
        }
        DomainJobStats done = d.getJobStats(STATS_COMPLETED);
        if (done.type == FAILED || done.type == CANCELLED) {
            return BackupJob.failed(errorOf(done, done.type == CANCELLED ? "the job was cancelled" : "the job failed"));
        }
        // COMPLETED, or NONE when libvirt kept no record: the caller checks the files it asked for.
        return BackupJob.completed();
    }

    private static String errorOf(DomainJobStats stats, String otherwise) {
        if (stats.stats != null) {
            for (TypedParameter p : stats.stats) {
                if ("errmsg".equals(p.field)) {
                    return p.getValueAsString();
                }
            }
        }
        return otherwise;
    }
}
