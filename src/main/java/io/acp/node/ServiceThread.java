package io.acp.node;

import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one thread a resource service (hypervisor, network, storage) does its blocking work and its
 * periodic ticks on, so its calls never overlap and never run on an event loop. Daemon, so a
 * service that fails to stop cannot hold the process; cancelled ticks are dropped at once.
 */
public final class ServiceThread {

    private ServiceThread() {
    }

    /** A single-thread scheduler whose thread is named {@code acp-<service>}. */
    public static ScheduledThreadPoolExecutor named(String service) {
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "acp-" + service);
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        return thread;
    }
}
