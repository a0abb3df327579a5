package io.acp.cluster.bridge;

import io.acp.cluster.Cdb;
import io.acp.cluster.ChangeFilter;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.ObjectEntry;
import io.smallrye.mutiny.subscription.Cancellable;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.jboss.logging.Logger;

/**
 * One TLS connection to the remote cluster's bridge. {@link #run()} blocks its (dedicated) thread:
 * TLS handshake, then the full current state (objects with tombstones, their meta and stats),
 * then every CDB change, while a reader thread merges what the remote side sends. Frames are a
 * 4-byte length and one {@link EntryCodec} entry; length 0 is a keepalive.
 */
final class BridgeLink {

    private static final Logger LOG = Logger.getLogger(BridgeLink.class);
    static final long KEEPALIVE_MILLIS = 2_000;
    /** A link whose peer was silent for this long (no keepalive either) is dead. */
    private static final int READ_TIMEOUT_MILLIS = (int) (3 * KEEPALIVE_MILLIS);
    /** Changes waiting while the full state is sent; a link that falls this far behind is dropped (and resyncs). */
    private static final int MAX_PENDING_CHANGES = 100_000;

    private final SSLSocket socket;
    private final Cdb cdb;
    private final OriginTracker origins;
    private final BridgeCounters counters;
    private final int maxFrameBytes;
    private final String node;
    private final String remote;
    private final BlockingQueue<Entry> pending = new LinkedBlockingQueue<>(MAX_PENDING_CHANGES);
    private volatile boolean closed;

    private final BridgeGate gate;

    BridgeLink(SSLSocket socket, Cdb cdb, OriginTracker origins, BridgeCounters counters, int maxFrameBytes, BridgeGate gate) {
        this.gate = gate;
        this.socket = socket;
        this.cdb = cdb;
        this.origins = origins;
        this.counters = counters;
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
            while (!closed) {
                // a short poll, so a closed link lets its thread go at once
                Entry e = pending.poll(100, TimeUnit.MILLISECONDS);
                if (e != null) {
                    if (send(out, e)) {
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

    /** Streamed entry by entry: the socket's flow control bounds what is in flight. */
    private void sendFullState(DataOutputStream out) throws IOException {
        for (ObjectEntry o : cdb.objects(new ObjectQuery(null, null, null, null, true))) {
            send(out, o);
            for (Entry m : cdb.meta(o.key(), null)) {
                send(out, m);
            }
            for (Entry s : cdb.stats(o.key(), null)) {
                send(out, s);
            }
        }
        out.flush();
    }

    /** Writes one entry unless it is an echo or too large; whether anything was written. */
    private boolean send(DataOutputStream out, Entry e) throws IOException {
        if (origins.isEcho(e)) {
            counters.echoSuppressed();
            return false;
        }
        byte[] frame = EntryCodec.encode(e); // already length-prefixed
        if (frame.length - 4 > maxFrameBytes) {
            LOG.warnf("bridge of node %s skips %s %s: %d bytes exceed max-frame-bytes %d", node, e.kind().wireName(), e.key(), frame.length - 4, maxFrameBytes);
            return false;
        }
        out.write(frame);
        counters.sent();
        return true;
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
                byte[] frame = new byte[4 + length];
                ByteBuffer.wrap(frame).putInt(length);
                in.readFully(frame, 4, length);
                for (Entry e : EntryCodec.decode(frame)) {
                    if (!gate.admit(e, remote)) {
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
