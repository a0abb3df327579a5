package io.acp.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/** The one libvirt connection holder, against libvirt's real test driver. */
class LibvirtLinkTest {

    @Test
    void opensOnceAndReopensAfterADrop() {
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger closing = new AtomicInteger();
        LibvirtLink link = new LibvirtLink("test:///default", "n1", "the hypervisor", "acp.hypervisor.uri", new LibvirtLink.Hooks() {
            @Override
            public void opened(Connect c) {
                opened.incrementAndGet();
            }

            @Override
            public void closing(Connect c) {
                closing.incrementAndGet();
            }
        });
        Connect first = link.connection();
        assertSame(first, link.connection(), "a held connection is reused");
        link.disconnect();
        Connect second = link.connection();
        assertNotSame(first, second);
        assertEquals(2, opened.get());
        assertEquals(1, closing.get());
        link.close();
        assertEquals(2, closing.get());
        AcpException stopped = assertThrows(AcpException.class, link::connection);
        assertEquals(ErrorCode.UNAVAILABLE, stopped.code());
        assertTrue(stopped.getMessage().contains("the hypervisor of node n1 is stopping"), stopped.getMessage());
    }

    @Test
    void aRefusedCallKeepsTheConnection() {
        LibvirtLink link = new LibvirtLink("test:///default", "n1", "the storage service", "acp.storage.libvirt-uri", LibvirtLink.Hooks.NONE);
        Connect c = link.connection();
        LibvirtException refused = assertThrows(LibvirtException.class, () -> c.domainLookupByName("acp-no-such-domain"));
        assertFalse(LibvirtLink.lost(refused));
        assertFalse(link.dropIfLost(c, refused), "a missing domain is not a lost connection");
        assertSame(c, link.connection());
        link.close();
    }

    @Test
    void anUnreachableDaemonNamesTheNodeTheUriAndTheKey() {
        LibvirtLink link = new LibvirtLink("qemu+unix:///system?socket=/nonexistent/acp-libvirt-sock", "n7", "the hypervisor",
                "acp.hypervisor.uri", LibvirtLink.Hooks.NONE);
        AcpException e = assertThrows(AcpException.class, link::connection);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().startsWith("node n7 cannot connect to libvirt at qemu+unix:///system?socket=/nonexistent/acp-libvirt-sock"), e.getMessage());
        assertTrue(e.getMessage().contains("is acp.hypervisor.uri right?"), e.getMessage());
    }
}
