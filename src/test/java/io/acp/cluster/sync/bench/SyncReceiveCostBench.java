package io.acp.cluster.sync.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.PairTags;
import io.acp.cluster.sync.origin.SealTags;
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
 * entries merged. Each flush is preceded by its seal tags ({@code SealTags}: 2 datagrams, one slot per
 * member), as a real node's at 128 nodes, unless the fifth argument is {@code no-tags} (every seal is
 * then verified, as before seal tags). Usage:
 * {@code SyncReceiveCostBench [peers] [objects] [warm-up rounds] [rounds] [tags|no-tags]}.
 */
public final class SyncReceiveCostBench {

    private SyncReceiveCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int peers = args.length > 0 ? Integer.parseInt(args[0]) : 126;
        int objects = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        boolean tags = args.length <= 4 || !args[4].equals("no-tags");
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
        NodeSigner receiver = TestPki.signer(ca, root.resolve("real1"), "real1");
        AuthorKeys senderKnows = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        senderKnows.learn(receiver.node(), receiver.certificate());
        List<SealTags> tagsOf = new ArrayList<>();
        for (NodeSigner s : signers) {
            OriginCounters c = new OriginCounters(s.node());
            tagsOf.add(new SealTags(s, senderKnows, new PairTags(s, senderKnows, c, System::currentTimeMillis),
                    new OriginCheck(senderKnows, c, System::currentTimeMillis), c, System::currentTimeMillis));
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
                if (tags) {
                    for (SealTags.Batch batch : tagsOf.get(p).batches(sealed)) {
                        for (byte[] body : SimulatedPeers.padTags(tagsOf.get(p).encode(batch, 1, sealers.get(p).maxBodyPerDatagram()),
                                peers + 1, sealers.get(p).maxBodyPerDatagram())) {
                            datagrams.addAll(List.of(sealers.get(p).seal(MessageType.SEAL_TAGS, body)));
                        }
                    }
                }
                for (byte[] body : SealedCodec.pack(sealed, sealers.get(p).maxBodyPerDatagram(), Integer.MAX_VALUE)) {
                    datagrams.addAll(List.of(sealers.get(p).seal(MessageType.DELTA, body)));
                }
            }
            byRound.add(datagrams);
        }
        Cdb cdb = Cdb.inMemory("real1");
        AuthorKeys authors = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        signers.forEach(s -> authors.learn(s.node(), s.certificate()));
        authors.learn(receiver.node(), receiver.certificate());
        OriginCounters refused = new OriginCounters("real1");
        OriginCheck check = new OriginCheck(authors, refused, System::currentTimeMillis);
        SealTags sealTags = new SealTags(receiver, authors, new PairTags(receiver, authors, refused, System::currentTimeMillis), check, refused,
                System::currentTimeMillis);
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
                if (o.header().type() == MessageType.SEAL_TAGS) {
                    sealTags.open(o.header().sender(), o.header().epoch(), o.body());
                    if (r >= warmup) {
                        datagrams++;
                        bytes += d.length;
                    }
                    continue;
                }
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
        System.out.printf("seal tags %s; ECDSA verifications: %d in all rounds (%d rounds of %d peers), seals vouched by tag: %d, refused: %d%n",
                tags ? "on" : "off", check.signaturesVerified(), byRound.size(), peers, check.sealsVouched(), refused.total());
        double perEntry = micros / merged;
        System.out.printf("%d peers x %d objects, %d rounds measured: %d datagrams (%.0f bytes each), %d entries merged (%.1f per datagram)%n",
                peers, objects, rounds, datagrams, (double) bytes / datagrams, merged, (double) merged / datagrams);
        System.out.printf("receive CPU %.2f us per entry, %.1f us per datagram: %.2f %% of a core at %d entries/s%n",
                perEntry, micros / datagrams, perEntry * peers * objects / 10_000.0, peers * objects);
    }
}
