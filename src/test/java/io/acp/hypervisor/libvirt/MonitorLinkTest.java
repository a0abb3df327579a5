package io.acp.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The monitor reads' connection keeps a running domain's handle from one sample to the next, for
 * as long as it is the same run of the same domain: real libvirt (test:///default), a domain
 * started, restarted and gone.
 */
class MonitorLinkTest {

    private final String name = "monitor-link-" + ProcessHandle.current().pid();
    private Connect main;
    private Domain domain;
    private MonitorLink link;

    @BeforeEach
    void start() throws LibvirtException {
        main = new Connect("test:///default");
        domain = main.domainDefineXML("<domain type='test'><name>" + name + "</name><memory>65536</memory>"
                + "<os><type>hvm</type></os></domain>");
        domain.create();
        link = new MonitorLink(new Connect("test:///default"));
    }

    @AfterEach
    void stop() throws LibvirtException {
        link.close();
        if (domain.isActive() == 1) {
            domain.destroy();
        }
        domain.undefine();
        domain.free();
        main.close();
    }

    @Test
    void theHandleOfOneRunIsKeptAndANewRunIsLookedUpAgain() throws LibvirtException {
        Domain first = link.handle(name, domain.getUUIDString(), domain.getID());
        assertThat(first).isNotNull();
        assertThat(first.getUUIDString()).isEqualTo(domain.getUUIDString());
        assertThat(link.handle(name, domain.getUUIDString(), domain.getID())).as("the same run").isSameAs(first);
        assertThat(link.lookups()).isEqualTo(1);

        int before = domain.getID();
        domain.destroy();
        domain.create();
        assertThat(domain.getID()).as("a new run has a new id").isNotEqualTo(before);
        Domain second = link.handle(name, domain.getUUIDString(), domain.getID());
        assertThat(second).isNotNull().isNotSameAs(first);
        assertThat(second.getID()).isEqualTo(domain.getID());
        assertThat(link.lookups()).isEqualTo(2);

        assertThat(link.handle(name, domain.getUUIDString(), before)).as("a run that is over").isNull();
        assertThat(link.handle("no-such-" + name, domain.getUUIDString(), 1)).as("a domain that is gone").isNull();
    }

    @Test
    void handlesOfDomainsNoLongerRunningAreLetGo() throws LibvirtException {
        assertThat(link.handle(name, domain.getUUIDString(), domain.getID())).isNotNull();
        link.retain(Set.of(name));
        assertThat(link.handle(name, domain.getUUIDString(), domain.getID())).isNotNull();
        assertThat(link.lookups()).as("kept while it runs").isEqualTo(1);

        link.retain(Set.of());
        assertThat(link.handle(name, domain.getUUIDString(), domain.getID())).isNotNull();
        assertThat(link.lookups()).as("looked up again once let go").isEqualTo(2);
    }
}
