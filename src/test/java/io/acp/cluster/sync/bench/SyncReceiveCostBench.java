package io.acp.cluster.sync.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CPU one node spends to receive the steady-state load of the scale target (126 peers, each a
 * stats sample of its 100 objects per second, sealed as a real flush and packed per datagram), on
 * one thread with no real-time pressure: open (AES-GCM), decode, origin check, merge into an
 * in-memory CDB. What {@code SyncScaleBench} measures minus the sockets, reassembly, hand-over,
 * heartbeats and the digest, but insensitive to the machine falling behind: the datagrams are made
 * first, then processed as fast as the thread can, and its CPU time (ThreadMXBean) is divided by the
 * entries merged. Usage: {@code SyncReceiveCostBench [peers] [objects] [warm-up rounds] [rounds]}.
 */
public final class SyncReceiveCostBench {

    private SyncReceiveCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 126;
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        Path root = Files.createTempDirectory("acp-receive-cost-");
        PkiFiles ca = TestPki.newCluster(root.resolve("ca"), "bench");
        ClusterKeys keys = new ClusterKeys("bench", "receive cost benchmark secret 0123456789", Optional.empty());
        List<NodeSigner> signers = new ArrayList<>();
        List<DatagramSealer> sealers = new ArrayList<>();
        for (int p = 0; p < peers; p++) {
            String id = String.format("sim%03d", p);
            signers.add(TestPki.signer(ca, root.resolve(id), id));
            sealers.add(new DatagramSealer(keys, id, 1, 1400));
        }
        HybridClock clock = new HybridClock();
        List<List<byte[]>> byRound = new ArrayList<>();
        for (int r = 0; r < warmup + rounds; r++) {
            List<byte[]> datagrams = new ArrayList<>();
            for (int p = 0; p < peers; p++) {
                List<Entry> sample = new ArrayList<>(objects);
                String id = signers.get(p).node();
                for (int k = 0; k < objects; k++) {
                    double v = r;
                    sample.add(new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, id + "-obj-" + k), id,
                            Map.of("cpu", v, "mem", v * 2, "rx", v * 3, "tx", v * 4), new Version(clock.now(), id)));
                }
                List<SealedEntry> sealed = signers.get(p).seal(sample);
                for (byte[] body : SealedCodec.pack(sealed, sealers.get(p).maxBodyPerDatagram(), Integer.MAX_VALUE)) {
                    datagrams.addAll(List.of(sealers.get(p).seal(MessageType.DELTA, body)));
                }
            }
            byRound.add(datagrams);
        }
        Cdb cdb = Cdb.inMemory("real1");
        AuthorKeys authors = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        signers.forEach(s -> authors.learn(s.node(), s.certificate()));
        OriginCheck check = new OriginCheck(authors, new OriginCounters("real1"), System::currentTimeMillis);
        DatagramOpener opener = new DatagramOpener(keys, "real1", new SyncCounters());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu0 = 0;
        long merged = 0;
        long datagrams = 0;
        long bytes = 0;
        for (int r = 0; r < byRound.size(); r++) {
            if (r == warmup) {
                cpu0 = threads.getCurrentThreadCpuTime();
            }
            for (byte[] d : byRound.get(r)) {
                Opened o = opener.open(d);
                for (SealedEntry s : SealedCodec.decode(o.body())) {
                    if (check.accept(s, o.header().sender())) {
                        cdb.mergeFrom(s.entry());
                        merged += r >= warmup ? 1 : 0;
                    }
                }
                if (r >= warmup) {
                    datagrams++;
                    bytes += d.length;
                }
            }
        }
        double micros = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0;
        double perEntry = micros / merged;
        System.out.printf("%d peers x %d objects, %d rounds measured: %d datagrams (%.0f bytes each), %d entries merged (%.1f per datagram)%n",
                peers, objects, rounds, datagrams, (double) bytes / datagrams, merged, (double) merged / datagrams);
        System.out.printf("receive CPU %.2f us per entry, %.1f us per datagram: %.2f %% of a core at %d entries/s%n",
                perEntry, micros / datagrams, perEntry * peers * objects / 10_000.0, peers * objects);
    }
}
