package io.acp.libvirt;

import org.jboss.logging.Logger;
import org.libvirt.Connect;
import org.libvirt.ErrorCallback;
import org.libvirt.Library;
import org.libvirt.LibvirtException;

/**
 * libvirt's process-wide set-up, once: a silent error handler, and the default event loop, which must be registered before the first
 * connection opens (or that connection never delivers events), and it runs on a daemon thread of
 * its own because {@code runEventLoop} blocks for ever.
 */
public final class LibvirtEventLoop {

    private static final Logger LOG = Logger.getLogger(LibvirtEventLoop.class);
    private static boolean started;
    /** Held for ever: JNA callbacks that are garbage collected crash the process when called. */
    private static ErrorCallback quiet;

    private LibvirtEventLoop() {
    }

    /** Sets libvirt up for this process if nothing has yet; {@link LibvirtLink} calls it before every open. */
    public static synchronized void ensureRunning() throws LibvirtException {
        if (started) {
            return;
        }
        // libvirt's default error handler prints every error (even an expected "Domain not found"
        // of a lookup) to stderr; errors reach us as LibvirtExceptions anyway.
        quiet = new ErrorCallback();
        Connect.setErrorCallback(quiet);
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
            LOG.errorf("libvirt event loop ended: %s; domain events are no longer delivered (the hypervisor's reconcile still repairs meta)", e.getMessage());
        }
    }
}
