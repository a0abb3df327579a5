package io.acp.bench;

import io.acp.hypervisor.DomainListing;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.testing.BenchArgs;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * What the hypervisor's reconcile reads every interval: {@link LibvirtBackend#listAll()} of every
 * domain on a node that holds {@code domains} of them (one in ten running), and the status of
 * each, on libvirt's test:///default (in this process; gone with it). Prints the mean and the best
 * of the measured rounds, after as many unmeasured ones. (The reconcile reads the statuses in
 * parts, other operations between them; this is their sum.)
 *
 * <p>Usage: {@code HypervisorListBench [domains=5000] [lists=20]}.
 */
public final class HypervisorListBench {

    private HypervisorListBench() {
    }

    public static void main(String[] args) throws LibvirtException {
        int domains = BenchArgs.whole(args, 0, "domains", 5000);
        int lists = BenchArgs.whole(args, 1, "lists", 20);
        Connect c = new Connect("test:///default");
        for (int i = 0; i < domains; i++) {
            Domain d = c.domainDefineXML("<domain type='test'><name>list-" + i + "</name><memory>65536</memory><os><type>hvm</type></os></domain>");
            try {
                if (i % 10 == 0) {
                    d.create();
                }
            } finally {
                d.free();
            }
        }
        LibvirtBackend backend = new LibvirtBackend("test:///default", "bench");
        backend.connect((name, event) -> { });
        long best = Long.MAX_VALUE;
        long sum = 0;
        int listed = 0;
        for (int r = 0; r < 2 * lists; r++) {
            long t0 = System.nanoTime();
            listed = 0;
            try (DomainListing listing = backend.listAll()) {
                for (int i = 0; i < domains; i++) {
                    listed += listing.read("list-" + i).isPresent() ? 1 : 0;
                }
            }
            long t = System.nanoTime() - t0;
            if (r >= lists) {
                best = Math.min(best, t);
                sum += t;
            }
        }
        System.out.printf("listAll() and the status of each of %d domains: mean %.1f ms, best %.1f ms over %d rounds%n", listed,
                sum / 1e6 / lists, best / 1e6, lists);
        System.exit(0); // libvirt's event loop thread is a daemon, but be sure
    }
}
