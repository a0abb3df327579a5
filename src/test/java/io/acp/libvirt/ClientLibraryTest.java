package io.acp.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClientLibraryTest {

    @Test
    void jnasReasonKeepsTheLoadersErrorsOnceAndDropsTheClassPathList() {
        // The shape of JNA 5's message when no libvirt.so can be loaded (class path shortened).
        UnsatisfiedLinkError e = new UnsatisfiedLinkError("""
                Unable to load library 'virt':
                libvirt.so: cannot open shared object file: No such file or directory
                libvirt.so: cannot open shared object file: No such file or directory
                Native library (linux-x86-64/libvirt.so) not found in resource path (/opt/acp/lib/a.jar:/opt/acp/lib/b.jar)""");
        assertEquals("libvirt.so: cannot open shared object file: No such file or directory", ClientLibrary.reason(e));
    }

    @Test
    void aMessageWithNothingElseIsKeptWhole() {
        NoClassDefFoundError e = new NoClassDefFoundError("Could not initialize class org.libvirt.jna.Libvirt");
        assertEquals("Could not initialize class org.libvirt.jna.Libvirt", ClientLibrary.reason(e));
    }

    @Test
    void aLongReasonIsCut() {
        String reason = ClientLibrary.reason(new UnsatisfiedLinkError("x".repeat(5_000)));
        assertTrue(reason.length() <= 301 && reason.endsWith("…"), reason);
    }
}
