package io.acp.hypervisor.libvirt;

import org.jboss.logging.Logger;
import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * libvirt's default event loop, once per process: it must be registered before the first
 * connection opens (or that connection never delivers events), and it runs on a daemon thread of
 * its own because {@code runEventLoop} blocks for ever.
 */
final class LibvirtEventLoop {

    private static final Logger LOG = Logger.getLogger(LibvirtEventLoop.class);
    private static boolean started;

    private LibvirtEventLoop() {
    }

    static synchronized void ensureRunning() throws LibvirtException {
        if (started) {
            return;
        }
        Library.initEventLoop();
        Thread loop = new Thread(LibvirtEventLoop::run, "acp-libvirt-events");
        loop.setDaemon(true);
        loop.start();
        started = true;
    }

    private static void run() {
        try {
            Library.runEventLoop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (LibvirtException e) {
            LOG.errorf("libvirt event loop ended: %s; domain events are no longer delivered (reconcile still repairs meta)", e.getMessage());
        }
    }
}
