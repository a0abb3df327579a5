package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.Refusal;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramHeader;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 13 on cluster sync, performed against real nodes on loopback multicast by
 * someone who holds the cluster secret (so every datagram authenticates) and, in some cases, a
 * member's own node key: each is refused, counted under its rule, and changes nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncOriginAttackTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** Sends messages as {@code sender} with the cluster secret, epoch far above any real one. */
    private static final class SecretHolder implements AutoCloseable {
        final DatagramSealer sealer;
        final DatagramChannel raw;

        SecretHolder(InProcessCluster cluster, String sender) throws Exception {
            this(cluster, sender, System.currentTimeMillis() / 1000 + 100); // above any real epoch, within how far ahead one is taken
        }

        SecretHolder(InProcessCluster cluster, String sender, long epoch) throws Exception {
            var s = cluster.settings();
            sealer = new DatagramSealer(new ClusterKeys(s.clusterId(), s.secret(), Optional.empty()), sender, epoch, s.maxDatagramBytes());
            raw = DatagramChannel.open();
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
        }

        void send(MessageType type, List<SealedEntry> entries, InetSocketAddress to) throws Exception {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            entries.forEach(e -> body.writeBytes(SealedCodec.encode(e)));
            byte[] groups = body.toByteArray();
            byte[] message = type == MessageType.ENTRIES ? AntiEntropy.answerBody(0, 0, 1, false, 0, 0, groups) : groups;
            for (byte[] d : sealer.seal(type, message)) {
                raw.send(ByteBuffer.wrap(d), to);
            }
        }

        void sendBody(MessageType type, byte[] body, InetSocketAddress to) throws Exception {
            for (byte[] d : sealer.seal(type, body)) {
                raw.send(ByteBuffer.wrap(d), to);
            }
        }

        /** Sends the entries as one ENTRIES body of an own stream (the entries' groups as SealedCodec packs them); returns the datagrams. */
        List<byte[]> sendOwn(List<SealedEntry> entries, InetSocketAddress to) throws Exception {
            ByteArrayOutputStream groups = new ByteArrayOutputStream();
            SealedCodec.pack(entries, Integer.MAX_VALUE, Integer.MAX_VALUE).forEach(groups::writeBytes);
            byte[] message = AntiEntropy.answerBody(0, 0, 1, AntiEntropy.ANSWER_OWN, 0, 0, groups.toByteArray());
            List<byte[]> datagrams = List.of(sealer.seal(MessageType.ENTRIES, message));
            for (byte[] d : datagrams) {
                raw.send(ByteBuffer.wrap(d), to);
            }
            return datagrams;
        }

        @Override
        public void close() throws Exception {
            raw.close();
        }
    }

    private static ObjectKey key(String id) {
        return ObjectKey.of(ObjectType.SYSTEM, id);
    }

    /** Two nodes, n1 hearing n2 (it holds a stats sample n2 just reported). */
    private static InProcessCluster twoNodesN1HearingN2() throws Exception {
        InProcessCluster cluster = InProcessCluster.start(2);
        n1HearsN2(cluster.node(1), cluster.node(2), "vm-first", 0.1);
        return cluster;
    }

    /** n2 reports a stats sample of system {@code id}, and n1 comes to hold it: n1 hears n2. */
    private static void n1HearsN2(InProcessCluster.Node n1, InProcessCluster.Node n2, String id, double cpu) {
        io.acp.model.StatsEntry sample = n2.cdb().putStats(key(id), java.util.Map.of("cpu", cpu));
        Eventually.await(WAIT, () -> sample.equals(n1.cdb().latestStats(sample.key(), "n2")), "n1 holds n2's sample of " + id + " at " + cpu);
    }

    private static void awaitRefused(OriginCounters c, Refusal rule, long atLeast) {
        Eventually.await(WAIT, () -> c.count(rule) >= atLeast, () -> "refusals " + c.snapshot() + ", waiting for " + rule + " >= " + atLeast);
    }

    @Test
    void forgedMetaSpecsAndTombstonesAreRefusedCountedAndChangeNothing() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); SecretHolder mallory = new SecretHolder(cluster, "mallory")) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            ObjectKey vm = key("vm1");
            ObjectNode agent = Json.object().put("agent", "10.0.0.2:7443");
            n2.cdb().putMeta(vm, agent);
            n1.cdb().putObject(vm, null, Json.object().put("disk", "/var/lib/acp/vm1.img"), null).await().atMost(WAIT);
            cluster.awaitConverged(WAIT);
            MetaEntry n2Meta = n1.cdb().meta(vm, "n2").get(0);
            ObjectEntry object = n1.cdb().object(vm).orElseThrow();
            OriginCounters refused = n1.sync().refusals();
            InetSocketAddress to = n1.sync().address();
            long far = Long.MAX_VALUE / 2;

            // a member (n3, with its own real node key) overwrites n2's meta and forges n1's spec and tombstone
            NodeSigner n3Key = TestPki.signer(cluster.ca(), cluster.node(3).dataDir, "n3");
            MetaEntry n2MetaByN3 = new MetaEntry(vm, "n2", Json.object().put("agent", "10.6.6.6:7443"), new Version(far, "n2"));
            ObjectEntry specByN3 = new ObjectEntry(vm, null, Json.object().put("disk", "/etc/shadow"), new Version(far, "n1"), false);
            ObjectEntry tombstoneByN3 = new ObjectEntry(vm, null, Json.object(), new Version(far + 1, "n1"), true);
            mallory.send(MessageType.ENTRIES, List.of(
                    resealed(n3Key, n2MetaByN3, "n2"), resealed(n3Key, specByN3, "n1"), resealed(n3Key, tombstoneByN3, "n1")), to);
            awaitRefused(refused, Refusal.NOT_AUTHOR, 3);

            // the secret alone: claims n2 and n1 as authors with their real key ids, signs with another key
            NodeSigner evil = TestPki.signer(TestPki.newCluster(dir.resolve("evil-ca"), "evil"), dir.resolve("evil"), "n2");
            long n2KeyId = NodeSigner.keyId(certificateOf(n2).getPublicKey());
            long n1KeyId = NodeSigner.keyId(certificateOf(n1).getPublicKey());
            mallory.send(MessageType.ENTRIES, List.of(
                    forged(evil, n2MetaByN3, "n2", n2KeyId), forged(evil, specByN3, "n1", n1KeyId), forged(evil, tombstoneByN3, "n1", n1KeyId)), to);
            awaitRefused(refused, Refusal.BAD_SIGNATURE, 3);

            // a certificate for "n2" from another CA, published as n2's, and entries under it
            MetaEntry evilCert = new MetaEntry(CertificateMeta.key("n2", evil.keyId()), "n2", CertificateMeta.values(evil.certificate()), new Version(far, "n2"));
            mallory.send(MessageType.ENTRIES, evil.seal(List.of(evilCert, n2MetaByN3)), to);
            awaitRefused(refused, Refusal.BAD_CERTIFICATE, 1);
            awaitRefused(refused, Refusal.UNKNOWN_AUTHOR, 1);

            // a DELTA carries only its sender's entries
            mallory.send(MessageType.DELTA, List.of(resealed(n3Key, n2MetaByN3, "n2")), to);
            awaitRefused(refused, Refusal.NOT_SENDER, 1);

            Thread.sleep(500); // heartbeats and anti-entropy keep running: nothing may change meanwhile
            assertThat(n1.cdb().meta(vm, "n2")).containsExactly(n2Meta);
            assertThat(n1.cdb().object(vm)).contains(object);
            assertThat(refused.fromSender("mallory")).as("every forged entry refused once: " + refused.snapshot()).isEqualTo(3 + 3 + 2 + 1);
            assertThat(n1.cdb().clock().now()).as("the forged far-future versions did not move the clock").isLessThan(far);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().meta(vm, "n2")).as("n2's meta on %s", n.id).containsExactly(n2Meta);
                assertThat(n.cdb().object(vm)).as("the object on %s", n.id).contains(object);
            }
        }
    }

    @Test
    void relayedEntriesWhoseSealDoesNotMatchAreRefused() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); SecretHolder relay = new SecretHolder(cluster, "n3-relay")) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            ObjectKey vm = key("vm2");
            n2.cdb().putObject(vm, null, Json.object().put("memory-mb", 512), null).await().atMost(WAIT);
            cluster.awaitConverged(WAIT);
            ObjectEntry genuine = n1.cdb().object(vm).orElseThrow();
            NodeSigner n2Key = TestPki.signer(cluster.ca(), n2.dataDir, "n2");
            SealedEntry sealed = n2Key.seal(List.of(genuine)).get(0);

            // the same seal on a changed spec, and on a newer version: both are relayed as n2's (each
            // newer than what n1 holds: an entry at the held version is ignored unverified, as it changes nothing)
            ObjectEntry changed = new ObjectEntry(vm, null, Json.object().put("memory-mb", 65536), new Version(genuine.version().time() + 500, "n2"), false);
            ObjectEntry newer = new ObjectEntry(vm, null, Json.object().put("memory-mb", 512), new Version(genuine.version().time() + 1000, "n2"), false);
            relay.send(MessageType.ENTRIES, List.of(
                    new SealedEntry(changed, io.acp.cluster.sync.wire.EntryCodec.encode(changed), sealed.seal()),
                    new SealedEntry(newer, io.acp.cluster.sync.wire.EntryCodec.encode(newer), sealed.seal())), n1.sync().address());
            awaitRefused(n1.sync().refusals(), Refusal.BAD_SIGNATURE, 2);
            Thread.sleep(300);
            assertThat(n1.cdb().object(vm)).contains(genuine);
            assertThat(n1.sync().refusals().fromSender("n3-relay")).isEqualTo(2);

            // the genuine sealed entry, relayed by anyone, is no refusal (n1 holds it already: ignored)
            long ignored = n1.sync().counters().snapshot().get("sync.entries.ignored");
            relay.send(MessageType.ENTRIES, List.of(sealed), n1.sync().address());
            Eventually.await(WAIT, () -> n1.sync().counters().snapshot().get("sync.entries.ignored") > ignored, "the genuine relay taken");
            assertThat(n1.sync().refusals().fromSender("n3-relay")).isEqualTo(2);
            assertThat(n1.cdb().object(vm)).contains(genuine);
        }
    }

    /**
     * A stats set is one leaf under one seal: a member that seals a set of another node's stats with
     * its own key is refused for every sample as not their author, and a genuine set changed after
     * its author sealed it is refused as a bad signature; the receiver's stats stay as they were.
     */
    @Test
    void aStatsSetOfAnotherNodeOrChangedAfterSealingIsRefusedForEverySample() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); SecretHolder relay = new SecretHolder(cluster, "n3-relay")) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            List<io.acp.model.StatsEntry> genuine = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                genuine.add(n2.cdb().putStats(key("vm-" + i), java.util.Map.of("cpu", 0.5)));
            }
            Eventually.await(WAIT, () -> genuine.stream().allMatch(s -> s.equals(n1.cdb().latestStats(s.key(), "n2"))), "n1 holds n2's stats");
            long later = genuine.get(4).version().time() + 1000;
            List<io.acp.model.StatsEntry> forged = genuine.stream()
                    .map(s -> new io.acp.model.StatsEntry(s.key(), "n2", java.util.Map.of("cpu", 99.0), new Version(later, "n2"))).toList();
            byte[] set = io.acp.cluster.sync.wire.StatsSetCodec.encode("n2", later, 0, 1, forged);

            // n3 seals n2's set with its own key (its representative entry is an own twin, as the signer checks only that)
            NodeSigner n3Key = TestPki.signer(cluster.ca(), cluster.node(3).dataDir, "n3");
            io.acp.model.StatsEntry twin = new io.acp.model.StatsEntry(key("vm-0"), "n3", java.util.Map.of("cpu", 0.0), new Version(later, "n3"));
            relay.send(MessageType.ENTRIES, n3Key.seal(List.of(), List.of(twin), List.of(set)), n1.sync().address());
            awaitRefused(n1.sync().refusals(), Refusal.NOT_AUTHOR, 5);

            // n2's own seal of a set, with a value changed after sealing
            NodeSigner n2Key = TestPki.signer(cluster.ca(), n2.dataDir, "n2");
            SealedEntry sealed = n2Key.seal(List.of(), List.of(forged.get(0)), List.of(set)).get(0);
            byte[] changed = set.clone();
            changed[changed.length - 1] ^= 1;
            relay.send(MessageType.ENTRIES, List.of(new SealedEntry(forged.get(0), changed, sealed.seal())), n1.sync().address());
            awaitRefused(n1.sync().refusals(), Refusal.BAD_SIGNATURE, 5);

            Thread.sleep(300); // heartbeats and anti-entropy keep running: nothing may change meanwhile
            assertThat(n1.sync().refusals().fromSender("n3-relay")).as("each sample of each forged set refused once").isEqualTo(10);
            for (io.acp.model.StatsEntry s : genuine) {
                assertThat(n1.cdb().latestStats(s.key(), "n2")).as("n2's stats of %s on n1", s.key()).isEqualTo(s);
            }
        }
    }

    /**
     * A holder of the secret sends one datagram in a member's name with an epoch years ahead. Taken,
     * it would make every receiver drop all the member's later datagrams as of a stale epoch (its
     * epochs are its runs' start times), and keep that epoch in the replay marks it saves, so even
     * after a restart: the member would look dead to everyone for good. It is dropped as
     * {@code future-epoch}, and the member goes on being heard.
     */
    @Test
    void aMembersEpochFarAheadIsDroppedAndTheMemberStaysHeard() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);

            long yearsAhead = System.currentTimeMillis() / 1000 + 10L * 365 * 24 * 3600;
            try (SecretHolder holder = new SecretHolder(cluster, "n2", yearsAhead)) {
                holder.send(MessageType.DELTA, List.of(), n1.sync().address());
                holder.send(MessageType.DELTA, List.of(), new InetSocketAddress(cluster.settings().group(), cluster.settings().port()));
            }
            Eventually.await(WAIT, () -> n1.sync().counters().droppedCount(DropReason.FUTURE_EPOCH) >= 2,
                    () -> "drops " + n1.sync().counters().snapshot());

            n1HearsN2(n1, n2, "vm-heard", 0.2);
            assertThat(n1.sync().counters().droppedCount(DropReason.STALE_EPOCH)).as("n2's datagrams dropped as stale").isZero();
            cluster.stop(1);
            assertThat(Files.readString(n1.dataDir.resolve(ReplayMarksFile.NAME))).doesNotContain(Long.toString(yearsAhead));
        }
    }

    /**
     * A holder of the cluster secret pushes a member's replay window at a receiver: one datagram in
     * n2's name with an epoch ahead (within what is taken) makes n1 refuse n2's own datagrams as
     * stale. n2's next heartbeat proves itself by its hash chain, so n1 hears n2 alive (without
     * that it took n2 for dead within dead-after, 2.5 s here), counts the push, and sets the window
     * back to that heartbeat: n2's writes reach n1 again (without that, never until n2's next
     * start: n1 has no other peer to relay them), and its later heartbeats pass the window.
     */
    @Test
    void aMembersEpochPushedAheadIsSetBackByItsNextHeartbeat() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            long ahead = System.currentTimeMillis() / 1000 + 100;
            try (SecretHolder holder = new SecretHolder(cluster, "n2", ahead)) {
                holder.send(MessageType.DELTA, List.of(), cluster.node(1).sync().address());
            }
            pushedWindowIsSetBack(cluster, DropReason.STALE_EPOCH);
        }
    }

    /** The same with n2's own epoch and a sequence far past n2's: its datagrams refused as replayed until its next heartbeat. */
    @Test
    void aMembersSequencePushedAheadIsSetBackByItsNextHeartbeat() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            var s = cluster.settings();
            DatagramSealer pusher = new DatagramSealer(new ClusterKeys(s.clusterId(), s.secret(), Optional.empty()), "n2",
                    cluster.node(2).sync().epoch(), 1_000_000_000L, s.maxDatagramBytes());
            try (DatagramChannel raw = DatagramChannel.open()) {
                for (byte[] d : pusher.seal(MessageType.DELTA, new byte[0])) {
                    raw.send(ByteBuffer.wrap(d), cluster.node(1).sync().address());
                }
            }
            pushedWindowIsSetBack(cluster, DropReason.REPLAYED);
        }
    }

    private static void pushedWindowIsSetBack(InProcessCluster cluster, DropReason pushedDrop) throws Exception {
        InProcessCluster.Node n1 = cluster.node(1);
        InProcessCluster.Node n2 = cluster.node(2);
        Eventually.await(WAIT, () -> n1.sync().counters().heartbeatsPastWindowCount() >= 1,
                () -> "a heartbeat of n2 proven past the pushed window: " + n1.sync().counters().snapshot());
        assertThat(n1.sync().counters().droppedCount(pushedDrop)).as("n2's heartbeat refused by the pushed window first").isPositive();
        n1HearsN2(n1, n2, "vm-after-push", 0.3);
        long pastWindow = n1.sync().counters().heartbeatsPastWindowCount();
        long dropped = n1.sync().counters().droppedCount(pushedDrop);
        Thread.sleep(cluster.settings().deadAfter().toMillis() + 500); // 25 heartbeats, past dead-after
        assertThat(n1.sync().membership()).filteredOn(p -> p.node().equals("n2")).singleElement()
                .satisfies(p -> assertThat(p.state()).as("n2 at n1 after the push").isEqualTo(io.acp.cluster.sync.membership.PeerState.ALIVE));
        assertThat(n1.sync().counters().heartbeatsPastWindowCount()).as("n2's later heartbeats pass the window").isEqualTo(pastWindow);
        assertThat(n1.sync().counters().droppedCount(pushedDrop)).as("nothing of n2's dropped since").isEqualTo(dropped);
        n1HearsN2(n1, n2, "vm-later", 0.4);
    }

    /**
     * Datagrams authentic under the cluster secret may name any sender: a holder of the secret who
     * sends one under each of 5,000 made-up names, each with an entry of that name (refused: no
     * certificate of it), leaves a node with replay marks for at most 4,096 senders (saved at every
     * heartbeat; one line per name before) and refusals counted apart for at most 4,096 senders
     * (the rest under one name, so one log line a minute for them all), and the node goes on
     * hearing its real peer.
     */
    @Test
    void madeUpSenderNamesLeaveBoundedReplayMarksAndRefusalCounts() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            int names = io.acp.cluster.sync.wire.ReplayGuard.MAX_SENDERS + 904;
            long accepted = n1.sync().counters().acceptedCount();
            OriginCounters refused = n1.sync().refusals();
            java.util.logging.Logger refusalLog = java.util.logging.Logger.getLogger(OriginCounters.class.getName());
            java.util.logging.Level logLevel = refusalLog.getLevel();
            refusalLog.setLevel(java.util.logging.Level.SEVERE); // the first 4,096 names each get a line
            try {
                for (int n = 0; n < names; n++) {
                    String made = "made-up-" + n;
                    try (SecretHolder holder = new SecretHolder(cluster, made)) {
                        holder.send(MessageType.DELTA, List.of(forgedStatsSet(made, 1)), n1.sync().address());
                    }
                    if (n % 500 == 499) {
                        Thread.sleep(20); // within the socket's buffer
                    }
                }
                Eventually.await(WAIT, () -> refused.count(Refusal.UNKNOWN_AUTHOR) >= names,
                        () -> "accepted " + (n1.sync().counters().acceptedCount() - accepted) + " of " + names + ": "
                                + n1.sync().counters().snapshot() + ", " + refused.snapshot());
            } finally {
                refusalLog.setLevel(logLevel);
            }
            assertThat(n1.sync().counters().acceptedCount() - accepted).as("datagrams accepted").isGreaterThanOrEqualTo(names);
            assertThat(refused.fromSender("made-up-0")).as("the first name counted apart").isEqualTo(1);
            assertThat(refused.fromSender("made-up-" + (names - 1))).as("the last name not counted apart").isZero();
            assertThat(refused.fromSender(OriginCounters.OTHER_SENDERS)).as("names past the bound counted as one")
                    .isGreaterThanOrEqualTo(names - OriginCounters.MAX_SENDERS);
            n1HearsN2(n1, n2, "vm-heard", 0.2);
            cluster.stop(1);
            List<String> marks = Files.readAllLines(n1.dataDir.resolve(ReplayMarksFile.NAME));
            assertThat(marks).as("replay marks saved").hasSizeLessThanOrEqualTo(io.acp.cluster.sync.wire.ReplayGuard.MAX_SENDERS)
                    .anyMatch(l -> l.startsWith("n2 "));
        }
    }

    /**
     * A heartbeat under a name nobody certified is what a holder of the cluster secret can send
     * under as many names as it likes. Each is refused ({@code unknown-author}); a node remembers
     * at most 256 such peers to wait for while it catches up (one per name before), and goes on
     * hearing its real peer.
     */
    @Test
    void heartbeatsUnderManyUncertifiedNamesAreRefusedAndRememberedBounded() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            NodeSigner uncertified = TestPki.signer(TestPki.newCluster(dir.resolve("other-ca"), "other"), dir.resolve("other"), "other");
            OriginCounters refused = n1.sync().refusals();
            long before = refused.count(Refusal.UNKNOWN_AUTHOR);
            int names = CatchUp.MAX_UNVERIFIED + 44;
            for (int n = 0; n < names; n++) {
                long epoch = System.currentTimeMillis() / 1000;
                try (SecretHolder holder = new SecretHolder(cluster, "made-up-" + n, epoch)) {
                    InetSocketAddress from = (InetSocketAddress) holder.raw.getLocalAddress();
                    byte[] heartbeat = new io.acp.cluster.sync.origin.ControlSealer(uncertified, epoch, from).heartbeat(new byte[12]);
                    holder.sendBody(MessageType.HEARTBEAT, heartbeat, n1.sync().address());
                }
            }
            awaitRefused(refused, Refusal.UNKNOWN_AUTHOR, before + names);
            assertThat(n1.sync().peersHeardUnverified()).as("peers heard but not verified, remembered").isEqualTo(CatchUp.MAX_UNVERIFIED);
            assertThat(n1.sync().membership()).as("no made-up name is a peer")
                    .noneMatch(p -> p.node().startsWith("made-up-"));
            n1HearsN2(n1, n2, "vm-heard", 0.2);
        }
    }

    /**
     * What a receiver keeps to decode and merge peers' stats sets faster (their keys and targets per
     * author and part) is kept only for members: a holder of the cluster secret who sends stats sets
     * in the names of many made-up nodes, each split into many parts, makes the receiver keep
     * nothing for them (each such split used to cost a receiver an array of a reference per part, up
     * to 65,535, per name), and none of it is taken; the member's stats still are.
     */
    @Test
    void statsSetsInTheNamesOfManyMadeUpNodesAreNotKeptForNorTaken() throws Exception {
        try (InProcessCluster cluster = twoNodesN1HearingN2()) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);

            int names = 300;
            for (int n = 0; n < names; n++) {
                String made = "made-up-" + n;
                int parts = n % 2 == 0 ? 4 : 4096; // a split as a member's, and one beyond any
                try (SecretHolder holder = new SecretHolder(cluster, made)) {
                    holder.send(MessageType.DELTA, List.of(forgedStatsSet(made, parts)), n1.sync().address());
                }
            }
            Eventually.await(WAIT, () -> n1.sync().refusals().count(Refusal.UNKNOWN_AUTHOR) >= names,
                    () -> "refusals " + n1.sync().refusals().snapshot());

            assertThat(n1.sync().statsSetAuthorsKept()).as("authors kept for after the sets of " + names + " made-up nodes: n2 at most")
                    .isLessThanOrEqualTo(1);
            assertThat(n1.cdb().latestStats(inPart(3, 4), "made-up-0")).isNull();
            assertThat(n1.cdb().latestStats(inPart(4095, 4096), "made-up-1")).isNull();
            n1HearsN2(n1, n2, "vm-genuine", 0.75);
        }
    }

    /**
     * A stats set of {@code author}'s, in the last part of a split into {@code parts}, under a seal
     * with a key no certificate names: refused as {@code unknown-author}.
     */
    private static SealedEntry forgedStatsSet(String author, int parts) {
        long t = System.currentTimeMillis();
        ObjectKey k = inPart(parts - 1, parts);
        io.acp.model.StatsEntry sample = new io.acp.model.StatsEntry(k, author, java.util.Map.of("cpu", 1.0), new Version(t, author));
        byte[] set = io.acp.cluster.sync.wire.StatsSetCodec.encode(author, t, parts - 1, parts, List.of(sample));
        return new SealedEntry(sample, set, new Seal(author, 7, 0, 0, new byte[0], new byte[64]));
    }

    /** The key of a system whose series falls in {@code part} of {@code parts}. */
    private static ObjectKey inPart(int part, int parts) {
        for (int i = 0; ; i++) {
            if (io.acp.cluster.sync.wire.StatsSetCodec.partOf(key("vm-" + i), parts) == part) {
                return key("vm-" + i);
            }
        }
    }

    /**
     * An own-stream answer body (ENTRIES with the own flag: one writer's entries in one tree under
     * one signature) proves nothing beyond its seal: with one entry changed after sealing, the
     * group's root is not the one signed, and its entries are refused; the genuine body is taken,
     * and the same datagrams sent again are dropped as replayed; a member that seals entries
     * another node wrote as its own stream is refused as not their author.
     */
    @Test
    void aTamperedReplayedOrRelayedOwnStreamBodyIsRefusedAndCounted() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); SecretHolder mallory = new SecretHolder(cluster, "relay")) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            for (int i = 0; i < 20; i++) {
                n2.cdb().putObject(key("own" + i), null, Json.object().put("i", i), null).await().atMost(WAIT);
            }
            cluster.awaitConverged(WAIT);
            NodeSigner n2Key = TestPki.signer(cluster.ca(), n2.dataDir, "n2");
            List<Entry> held = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                held.add(n2.cdb().object(key("own" + i)).orElseThrow());
            }
            InetSocketAddress to = n1.sync().address();
            OriginCounters refused = n1.sync().refusals();

            // tampered: the last entry's spec changed (newer version) after the tree was signed
            ObjectEntry last = (ObjectEntry) held.get(19);
            ObjectEntry changed = new ObjectEntry(last.key(), null, Json.object().put("i", 666), new Version(last.version().time() + 1000, "n2"), false);
            List<SealedEntry> sealed = n2Key.seal(held);
            List<SealedEntry> forged = new java.util.ArrayList<>(sealed.subList(0, 19));
            forged.add(new SealedEntry(changed, io.acp.cluster.sync.wire.EntryCodec.encode(changed), sealed.get(19).seal()));
            long before = refused.count(Refusal.BAD_SIGNATURE);
            mallory.sendOwn(forged, to);
            awaitRefused(refused, Refusal.BAD_SIGNATURE, before + 1);
            Thread.sleep(300);
            assertThat(n1.cdb().object(last.key())).contains(last);

            // genuine, then the very same datagrams again
            long replayed = n1.sync().counters().droppedCount(DropReason.REPLAYED);
            long ignored = n1.sync().counters().snapshot().get("sync.entries.ignored");
            List<byte[]> datagrams = mallory.sendOwn(sealed, to);
            Eventually.await(WAIT, () -> n1.sync().counters().snapshot().get("sync.entries.ignored") >= ignored + 20, "the genuine own body taken");
            for (byte[] d : datagrams) {
                mallory.raw.send(ByteBuffer.wrap(d), to);
            }
            Eventually.await(WAIT, () -> n1.sync().counters().droppedCount(DropReason.REPLAYED) - replayed == datagrams.size(),
                    () -> "drops after the replay: " + n1.sync().counters().snapshot());

            // a member sealing as its own stream what n2 wrote
            NodeSigner n3Key = TestPki.signer(cluster.ca(), cluster.node(3).dataDir, "n3");
            ObjectEntry newer = new ObjectEntry(last.key(), null, Json.object().put("i", 777), new Version(last.version().time() + 2000, "n2"), false);
            long notAuthor = refused.count(Refusal.NOT_AUTHOR);
            mallory.sendOwn(List.of(resealed(n3Key, newer, "n2")), to);
            awaitRefused(refused, Refusal.NOT_AUTHOR, notAuthor + 1);
            Thread.sleep(300);
            assertThat(n1.cdb().object(last.key())).contains(last);
        }
    }

    @Test
    void datagramsRecordedBeforeAReceiverRestartAreRefusedAfterIt() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            InProcessCluster.Node n1 = cluster.node(1);
            n1.faults().capture();
            for (int i = 0; i < 10; i++) {
                cluster.node(2).cdb().putMeta(key("r" + i), Json.object().put("state", "up-" + i));
            }
            cluster.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> fromPeers(n1).size() >= 13, "13 datagrams of the peers recorded");
            List<byte[]> recorded = fromPeers(n1).subList(0, 13);

            cluster.stop(1);
            assertThat(Files.readString(n1.dataDir.resolve(ReplayMarksFile.NAME))).contains("n2 ").contains("n3 ");
            cluster.restart(1);
            cluster.awaitConverged(WAIT);
            long replayed = n1.sync().counters().droppedCount(DropReason.REPLAYED) + n1.sync().counters().droppedCount(DropReason.STALE_EPOCH);
            long accepted = n1.sync().counters().acceptedCount();
            long merged = n1.sync().counters().entriesMergedCount();
            try (DatagramChannel raw = DatagramChannel.open()) {
                raw.bind(new InetSocketAddress("127.0.0.1", 0));
                for (byte[] d : recorded) {
                    raw.send(ByteBuffer.wrap(d), n1.sync().address());
                }
            }
            Eventually.await(WAIT, () -> n1.sync().counters().droppedCount(DropReason.REPLAYED)
                            + n1.sync().counters().droppedCount(DropReason.STALE_EPOCH) - replayed == 13,
                    () -> "drops after the replay: " + n1.sync().counters().snapshot());
            assertThat(n1.sync().counters().entriesMergedCount()).as("nothing merged from the replay").isEqualTo(merged);
            assertThat(n1.sync().counters().acceptedCount() - accepted).as("real traffic only: no replay accepted")
                    .isLessThan(n1.sync().counters().acceptedCount());
        }
    }

    @Test
    void aRevokedNodesEntriesAndMessagesAreRefused() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            cluster.awaitConverged(WAIT);
            java.math.BigInteger n2Serial = certificateOf(n2).getSerialNumber();
            n1.sync().useRevocations(cert -> cert.getSerialNumber().equals(n2Serial));

            ObjectKey key = key("after-revocation");
            n2.cdb().putObject(key, null, Json.object().put("by", "n2"), null).await().atMost(WAIT);
            awaitRefused(n1.sync().refusals(), Refusal.REVOKED, 1);
            Eventually.await(WAIT, () -> cluster.node(3).cdb().object(key).isPresent(), "n3, which revoked nothing, takes it");
            Thread.sleep(500); // anti-entropy keeps offering it (n3 relays n2's seal): still refused
            assertThat(n1.cdb().object(key)).isEmpty();
            assertThat(n1.sync().refusals().fromSender("n2")).isPositive();
        }
    }

    /** What the node received from its peers, as its fault layer recorded it. */
    private static List<byte[]> fromPeers(InProcessCluster.Node n) {
        return n.faults().captured().stream().filter(d -> !DatagramHeader.read(d).sender().equals(n.id)).toList();
    }

    private static java.security.cert.X509Certificate certificateOf(InProcessCluster.Node n) {
        return io.acp.security.Pem.readCertificate(PkiFiles.in(n.dataDir).nodeCertificate());
    }

    /** The entry sealed by {@code signer}, but with the seal claiming {@code claimed} wrote it. */
    private static SealedEntry resealed(NodeSigner signer, Entry e, String claimed) {
        // the signer can only seal its own entries; seal a twin and put its seal on the forged entry
        Entry twin = e instanceof MetaEntry m
                ? new MetaEntry(m.key(), signer.node(), m.values(), new Version(m.version().time(), signer.node()))
                : new ObjectEntry(e.key(), null, ((ObjectEntry) e).spec(), new Version(e.version().time(), signer.node()), ((ObjectEntry) e).deleted());
        Seal s = signer.seal(List.of(twin)).get(0).seal();
        return new SealedEntry(e, io.acp.cluster.sync.wire.EntryCodec.encode(e), s);
    }

    /** The entry with a seal claiming {@code author} and its real key id, signed by some other key. */
    private static SealedEntry forged(NodeSigner other, Entry e, String author, long keyId) {
        SealedEntry byOther = resealed(other, e, author);
        Seal s = byOther.seal();
        return new SealedEntry(e, byOther.encoded(), new Seal(author, keyId, s.height(), s.leaf(), s.path(), s.signature()));
    }
}
