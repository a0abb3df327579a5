package io.acp.cluster.bridge;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.sync.origin.AuthorKeys;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.OriginCheck;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * One TLS connection to the remote cluster's bridge. {@link #run()} blocks its (dedicated) thread:
 * TLS handshake, then the full current state (this cluster's node certificates, objects with
 * tombstones, their meta and stats), then every CDB change, while a reader thread merges what the
 * remote side sends. Frames are a 4-byte length and a {@link SealedCodec} body (entries with their
 * authors' seals); length 0 is a keepalive. What arrives is merged only if the {@link BridgeGate}
 * admits it and its author's seal verifies under a certificate of the remote cluster's CA.
 */
final class BridgeLink {

    private static final Logger LOG = Logger.getLogger(BridgeLink.class);
    static final long KEEPALIVE_MILLIS = 2_000;
    /** Entries sealed and sent together (one signature for this node's own among them). */
    private static final int BATCH = 256;
    /** A link whose peer was silent for this long (no keepalive either) is dead. */
    private static final int READ_TIMEOUT_MILLIS = (int) (3 * KEEPALIVE_MILLIS);
    /** Changes waiting while the full state is sent; a link that falls this far behind is dropped (and resyncs). */
    private static final int MAX_PENDING_CHANGES = 100_000;
    /** How often entries waiting for their author's seal are tried again: a small part of the heartbeat that brings it. */
    private static final long SEAL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SSLSocket socket;
    private final Cdb cdb;
    private final OriginTracker origins;
    private final BridgeCounters counters;
    private final int maxFrameBytes;
    private final String node;
    private final String remote;
    private final BlockingQueue<Entry> pending = new LinkedBlockingQueue<>(MAX_PENDING_CHANGES);
    private final SealWait awaitingSeals; // the writer thread's
    private volatile boolean closed;

    private final BridgeGate gate;
    private final BridgeSeals seals;
    private final OriginCheck remoteOrigin; // the reader thread's

    BridgeLink(SSLSocket socket, Cdb cdb, OriginTracker origins, BridgeCounters counters, int maxFrameBytes, BridgeGate gate,
               BridgeSeals seals, AuthorKeys remoteKeys, OriginCounters refusals) {
        this.gate = gate;
        this.seals = seals;
        this.remoteOrigin = new OriginCheck(remoteKeys, refusals, System::currentTimeMillis);
        this.socket = socket;
        this.cdb = cdb;
        this.origins = origins;
        this.counters = counters;
        this.awaitingSeals = new SealWait(counters);
        this.maxFrameBytes = maxFrameBytes;
        this.node = cdb.localNode();
        this.remote = socket.getRemoteSocketAddress().toString();
    }

    /** Runs the link until it breaks or is closed; a failed handshake is logged and counted. */
    void run() {
        try {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.startHandshake();
        } catch (IOException e) {
            counters.linkFailed();
            LOG.warnf("bridge of node %s refused the link with %s (TLS): %s", node, remote, e.getMessage());
            close();
            return;
        }
        counters.linkUp();
        LOG.infof("bridge of node %s linked with %s", node, remote);
        Thread reader = new Thread(this::readLoop, "acp-bridge-read-" + node);
        reader.setDaemon(true);
        reader.start();
        // subscribe before the snapshot, so no change falls in between (duplicates merge harmlessly)
        Cancellable changes = cdb.changes(ChangeFilter.ALL).subscribe().with(this::enqueue, f -> close());
        try {
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 64 * 1024));
            sendFullState(out);
            long lastWrite = System.nanoTime();
            long lastSealRetry = lastWrite;
            while (!closed) {
                // a short poll, so a closed link lets its thread go at once
                Entry e = pending.poll(100, TimeUnit.MILLISECONDS);
                if (!awaitingSeals.isEmpty() && System.nanoTime() - lastSealRetry >= SEAL_RETRY_NANOS) {
                    lastSealRetry = System.nanoTime();
                    if (send(out, awaitingSeals.due(lastSealRetry))) {
                        lastWrite = System.nanoTime();
                    }
                }
                if (e != null) {
                    List<Entry> batch = new ArrayList<>();
                    batch.add(e);
                    pending.drainTo(batch, BATCH - 1);
                    if (send(out, batch)) {
                        lastWrite = System.nanoTime();
                    }
                } else if (System.nanoTime() - lastWrite >= TimeUnit.MILLISECONDS.toNanos(KEEPALIVE_MILLIS)) {
                    out.writeInt(0);
                    lastWrite = System.nanoTime();
                }
                if (pending.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                counters.linkFailed();
                LOG.warnf("bridge link of node %s with %s lost: %s", node, remote, e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            changes.cancel();
            close();
        }
    }

    private void enqueue(Entry e) {
        if (!pending.offer(e)) {
            LOG.warnf("bridge link of node %s with %s fell %d changes behind; dropping it to resync", node, remote, MAX_PENDING_CHANGES);
            close();
        }
    }

    /**
     * Streamed in batches, this cluster's node certificates first (the remote side needs them to
     * check the seals of what follows): the socket's flow control bounds what is in flight.
     */
    private void sendFullState(DataOutputStream out) throws IOException {
        byte[] mine = SealedCodec.encode(seals.ownCertificate(cdb.clock().now()));
        out.writeInt(mine.length);
        out.write(mine);
        List<Entry> batch = new ArrayList<>();
        for (ObjectKey k : cdb.reportedKeys(ObjectType.SERVICE)) {
            for (MetaEntry m : cdb.meta(k, null)) {
                if (CertificateMeta.isCertificateMeta(m)) {
                    batch.add(m);
                }
            }
        }
        send(out, batch);
        batch.clear();
        for (ObjectEntry o : cdb.objects(new ObjectQuery(null, null, null, null, true))) {
            batch.add(o);
            batch.addAll(cdb.reports(o.key(), null));
            if (batch.size() >= BATCH) {
                send(out, batch);
                batch.clear();
            }
        }
        send(out, batch);
        out.flush();
    }

    /**
     * Writes the entries that are not echoes, sealed ({@link BridgeSeals}) and packed into frames of
     * at most max-frame-bytes (an entry larger than that is skipped); whether anything was written.
     * Entries whose author's seal this node does not hold yet wait for it ({@link SealWait}).
     */
    private boolean send(DataOutputStream out, List<Entry> entries) throws IOException {
        List<Entry> fresh = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            if (origins.isEcho(e)) {
                counters.echoSuppressed();
                awaitingSeals.settled(e);
            } else {
                fresh.add(e);
            }
        }
        if (fresh.isEmpty()) {
            return false;
        }
        boolean wrote = false;
        BridgeSeals.Sealing sealing = seals.seal(fresh);
        List<SealedEntry> sealed = sealing.sealed();
        awaitingSeals.tried(fresh, sealing.unsealed(), System.nanoTime());
        for (byte[] body : SealedCodec.pack(sealed, maxFrameBytes, Integer.MAX_VALUE)) {
            if (body.length > maxFrameBytes) {
                LOG.warnf("bridge of node %s skips a frame of %d bytes: more than max-frame-bytes %d", node, body.length, maxFrameBytes);
                continue;
            }
            out.writeInt(body.length);
            out.write(body);
            wrote = true;
        }
        if (wrote) {
            counters.sent(sealed.size());
        }
        return wrote;
    }

    private void readLoop() {
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            while (!closed) {
                int length = in.readInt();
                if (length == 0) {
                    continue; // keepalive
                }
                if (length < 0 || length > maxFrameBytes) {
                    throw new IOException("frame of " + length + " bytes exceeds max-frame-bytes " + maxFrameBytes);
                }
                byte[] frame = new byte[length];
                in.readFully(frame);
                for (SealedEntry s : SealedCodec.decode(frame)) {
                    Entry e = s.entry();
                    if (CertificateMeta.isCertificateMeta(e)) {
                        // checked against the remote CA and kept for the seals that follow; never
                        // merged: a remote certificate means nothing to this cluster's sync
                        remoteOrigin.accept(s, remote);
                        continue;
                    }
                    if (!gate.admit(e, remote) || !remoteOrigin.accept(s, remote)) {
                        continue;
                    }
                    origins.receivedFromLink(e); // before the merge: its change event is an echo
                    cdb.merge(e);
                    counters.received();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.warnf("bridge link of node %s with %s lost while receiving: %s", node, remote, e.getMessage());
            }
        } finally {
            close();
        }
    }

    void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    boolean closed() {
        return closed;
    }
}
