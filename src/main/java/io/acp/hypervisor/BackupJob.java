package io.acp.hypervisor;

/**
 * A domain's push backup job as libvirt reports it: still running, or how it ended.
 *
 * @param error libvirt's reason when it failed or was cancelled, else empty
 */
public record BackupJob(Phase phase, String error) {

    /** Where the job is. */
    public enum Phase {
        RUNNING, COMPLETED, FAILED
    }

    public static BackupJob running() {
        return new BackupJob(Phase.RUNNING, "");
    }

    public static BackupJob completed() {
        return new BackupJob(Phase.COMPLETED, "");
    }

    public static BackupJob failed(String error) {
        return new BackupJob(Phase.FAILED, error);
    }
}
