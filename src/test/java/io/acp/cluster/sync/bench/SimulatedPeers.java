package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.StateDigest;
import io.acp.cluster.sync.SyncSettings;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.ControlSealer;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.PairTags;
import io.acp.cluster.sync.origin.SealTags;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.security.Pem;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;

/**
 * The traffic of many nodes without running them: each simulated node has its own sender id, key,
 * epoch and sequence, and sends what a real node in steady state sends: its objects once (as DELTAs),
 * then every second one DELTA round with a 4-value stats sample of each of its objects, and a
 * heartbeat every 500 ms. Entries are really sealed with each simulated node's own CA-issued key (one
 * signature per round, as a real node's flush; its certificate goes with its objects), and all
 * datagrams are really sealed (AES-GCM) and multicast on loopback from one
 * socket, so receivers do the full work of authenticating, decoding and merging them. Each sealed round
 * is preceded by its seal tags, as a real node's at this size: genuine slots for the real nodes (pair
 * keys from the real nodes' certificates), random slots for the other simulated nodes, so the
 * datagrams are those of a cluster of {@code count + real} members. A simulated node
 * receives nothing and answers no pull: its heartbeats announce the digest of a real node (the
 * steady state, where every node holds the same state), so no real node has reason to pull from it.
 */
final class SimulatedPeers implements AutoCloseable {

    private record Sim(String id, DatagramSealer sealer, NodeSigner signer, HybridClock clock, List<ObjectKey> objects, ControlSealer[] control,
                       SealTags tags) {
    }

    private static final int TAG_HEADER = 8 + 1 + 16 + 64 + 1;
    private static final int TAG_SLOT = 4 + 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final int members;
    private final long epoch;

    private final List<Sim> sims = new ArrayList<>();
    private final DatagramChannel socket;
    private final InetSocketAddress group;
    private final Supplier<StateDigest> steadyDigest;
    private final ByteBuffer inbound = ByteBuffer.allocate(65_536);
    private long bytesSent;
    private long datagramsSent;
    private long unicastReceived;
    /** Where datagrams go instead of the socket, when set ({@link #divertTo}). */
    private java.util.function.Consumer<byte[]> diverted;

    /**
     * @param ca    the cluster CA, which issues each simulated node its key and certificate (under {@code root})
     * @param real  the certificates of the real nodes by node, which the seal tags are made for
     */
    SimulatedPeers(SyncSettings settings, int count, int objectsEach, Supplier<StateDigest> steadyDigest, PkiFiles ca, Path root,
                   Map<String, X509Certificate> real) throws IOException {
        ClusterKeys keys = new ClusterKeys(settings.clusterId(), settings.secret(), settings.previousSecret());
        long epoch = System.currentTimeMillis() / 1000;
        this.epoch = epoch;
        this.members = count + real.size();
        AuthorKeys realKeys = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        real.forEach(realKeys::learn);
        for (int s = 1; s <= count; s++) {
            String id = String.format("sim%03d", s);
            List<ObjectKey> objects = new ArrayList<>();
            for (int k = 0; k < objectsEach; k++) {
                objects.add(ObjectKey.of(ObjectType.SYSTEM, id + "-obj-" + k));
            }
            NodeSigner signer = TestPki.signer(ca, root.resolve(id), id);
            OriginCounters c = new OriginCounters(id);
            SealTags tags = new SealTags(signer, realKeys, new PairTags(signer, realKeys, c, System::currentTimeMillis),
                    new OriginCheck(realKeys, c, System::currentTimeMillis), c, System::currentTimeMillis);
            sims.add(new Sim(id, new DatagramSealer(keys, id, epoch, settings.maxDatagramBytes()), signer,
                    new HybridClock(), objects, new ControlSealer[1], tags));
        }
        this.steadyDigest = steadyDigest;
        this.group = new InetSocketAddress(settings.group(), settings.port());
        socket = DatagramChannel.open(StandardProtocolFamily.INET);
        socket.bind(new InetSocketAddress("127.0.0.1", 0));
        socket.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName(settings.multicastInterface()));
        socket.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
        socket.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        socket.configureBlocking(false);
        InetSocketAddress from = (InetSocketAddress) socket.getLocalAddress();
        for (Sim sim : sims) {
            sim.control[0] = new ControlSealer(sim.signer, epoch, from); // heartbeats proven by a hash chain, as a real node's
        }
    }

    int size() {
        return sims.size();
    }

    /** Simulated node {@code i} multicasts DELTAs with its certificate and all its objects. */
    void announceObjects(int i) throws IOException {
        Sim sim = sims.get(i);
        List<Entry> entries = new ArrayList<>();
        entries.add(new MetaEntry(CertificateMeta.key(sim.id, sim.signer.keyId()), sim.id, CertificateMeta.values(sim.signer.certificate()), new Version(sim.clock.now(), sim.id)));
        for (ObjectKey key : sim.objects) {
            entries.add(new ObjectEntry(key, null, Json.object().put("simulated", true), new Version(sim.clock.now(), sim.id), false));
        }
        send(sim, MessageType.DELTA, entries);
    }

    /** Simulated node {@code i} multicasts one stats sample of each of its objects. */
    void sendStats(int i, long round) throws IOException {
        Sim sim = sims.get(i);
        List<Entry> entries = new ArrayList<>(sim.objects.size());
        double v = round % 100;
        for (ObjectKey key : sim.objects) {
            entries.add(new StatsEntry(key, sim.id, Map.of("cpu", v, "mem", v * 2, "rx", v * 3, "tx", v * 4), new Version(sim.clock.now(), sim.id)));
        }
        sendSealed(sim, MessageType.DELTA, statsSets(sim, entries));
    }

    /** The samples as a real node's sealed flush sends them: the stats set of each part, under one signature. */
    private static List<SealedEntry> statsSets(Sim sim, List<Entry> samples) {
        int parts = StatsSetCodec.partsFor(samples.size());
        List<List<StatsEntry>> byPart = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            byPart.add(new ArrayList<>());
        }
        for (Entry e : samples) {
            byPart.get(StatsSetCodec.partOf(e.key(), parts)).add((StatsEntry) e);
        }
        List<Entry> firsts = new ArrayList<>();
        List<byte[]> sets = new ArrayList<>();
        long time = sim.clock.now();
        for (int p = 0; p < parts; p++) {
            if (!byPart.get(p).isEmpty()) {
                firsts.add(byPart.get(p).get(0));
                sets.add(StatsSetCodec.encode(sim.id, time, p, parts, byPart.get(p)));
            }
        }
        return sim.signer.seal(List.of(), firsts, sets);
    }

    /** Simulated node {@code i} multicasts a heartbeat carrying the steady-state digest. */
    void sendHeartbeat(int i) throws IOException {
        StateDigest d = steadyDigest.get();
        Sim sim = sims.get(i);
        sendSealed(sim, MessageType.HEARTBEAT, sim.control[0].heartbeat(ByteBuffer.allocate(12).putLong(d.root()).putInt(d.entries()).array()));
    }

    /** Reads and counts what real nodes sent to the simulated nodes' socket (pulls); they are not answered. */
    void drainUnicast() throws IOException {
        while (true) {
            inbound.clear();
            if (socket.receive(inbound) == null) {
                return;
            }
            unicastReceived++;
        }
    }

    /**
     * Sealed by the simulated node's key, one signature per call (as a real node's flush), its seal
     * tags first, then packed per datagram.
     */
    private void send(Sim sim, MessageType type, List<Entry> entries) throws IOException {
        sendSealed(sim, type, sim.signer.seal(entries));
    }

    private void sendSealed(Sim sim, MessageType type, List<SealedEntry> sealed) throws IOException {
        for (SealTags.Batch batch : sim.tags.batches(sealed)) {
            for (byte[] body : padTags(sim.tags.encode(batch, epoch, sim.sealer.maxBodyPerDatagram()), members - 1, sim.sealer.maxBodyPerDatagram())) {
                sendSealed(sim, MessageType.SEAL_TAGS, body);
            }
        }
        for (byte[] body : SealedCodec.pack(sealed, sim.sealer.maxBodyPerDatagram(), Integer.MAX_VALUE)) {
            sendSealed(sim, type, body);
        }
    }

    private void sendSealed(Sim sim, MessageType type, byte[] body) throws IOException {
        for (byte[] d : sim.sealer.seal(type, body)) {
            if (diverted != null) {
                diverted.accept(d);
                bytesSent += d.length;
                datagramsSent++;
            } else if (socket.send(ByteBuffer.wrap(d), group) > 0) {
                bytesSent += d.length;
                datagramsSent++;
            }
        }
    }

    /**
     * SEAL_TAGS bodies with {@code slots} slots in all: those of {@code bodies} (the genuine ones, for
     * the receivers the sender knows) and random ones for the rest, split per datagram as a real
     * sender splits them (docs/protocol.md, "Seal tags").
     */
    static List<byte[]> padTags(List<byte[]> bodies, int slots, int maxBody) {
        if (bodies.isEmpty() || slots > SealTags.MAX_RECEIVERS) { // a real node of so large a group tags for no one
            return List.of();
        }
        byte[] header = java.util.Arrays.copyOf(bodies.get(0), TAG_HEADER - 1);
        List<byte[]> all = new ArrayList<>();
        for (byte[] b : bodies) {
            for (int at = TAG_HEADER; at + TAG_SLOT <= b.length; at += TAG_SLOT) {
                all.add(java.util.Arrays.copyOfRange(b, at, at + TAG_SLOT));
            }
        }
        while (all.size() < slots) {
            byte[] filler = new byte[TAG_SLOT];
            RANDOM.nextBytes(filler);
            all.add(filler);
        }
        int perBody = Math.min(128, (maxBody - TAG_HEADER) / TAG_SLOT);
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += perBody) {
            List<byte[]> slice = all.subList(from, Math.min(all.size(), from + perBody));
            ByteBuffer b = ByteBuffer.allocate(TAG_HEADER + slice.size() * TAG_SLOT);
            b.put(header).put((byte) slice.size());
            slice.forEach(b::put);
            out.add(b.array());
        }
        return out;
    }

    /** From now on hands every datagram to {@code sink} instead of multicasting it (a benchmark that delivers them itself). */
    void divertTo(java.util.function.Consumer<byte[]> sink) {
        diverted = sink;
    }

    long bytesSent() {
        return bytesSent;
    }

    long datagramsSent() {
        return datagramsSent;
    }

    long unicastReceived() {
        return unicastReceived;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
