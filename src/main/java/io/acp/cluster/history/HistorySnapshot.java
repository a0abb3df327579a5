package io.acp.cluster.history;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The history store's base on disk: one gzip'd binary file, written whole to a temporary file and
 * moved over the old one, so a crash mid-write leaves the previous snapshot. Between two bases,
 * {@link HistoryLog} appends only what changed. Empty slots (NaN) compress
 * to almost nothing, so the file is about as big as the samples actually taken.
 *
 * <p>Layout (big-endian): magic {@code ACPH}, format 1, the metric names, then per object its
 * key, its metric ids and per range the current step, the step ring and per metric the value ring,
 * running sum and count.
 */
public final class HistorySnapshot {

    private static final int MAGIC = 0x41435048;
    /** 2 adds the generation, which ties a {@link HistoryLog} to its base; format 1 is still read (generation 0). */
    private static final int FORMAT = 2;

    private HistorySnapshot() {
    }

    /** What a base says about itself: its generation, and its metric ids in the store it was loaded into. */
    record Base(long generation, List<Integer> remap) {
    }

    /** Writes the store to {@code file} atomically; returns the bytes written. */
    public static long save(StatsHistory history, Path file) throws IOException {
        return save(history, file, 0);
    }

    /** Writes the store to {@code file} atomically as base {@code generation}; returns the bytes written. */
    static long save(StatsHistory history, Path file, long generation) throws IOException {
        return save(history, file, generation, history.names.all());
    }

    /**
     * Writes the store as base {@code generation} with {@code names} as its metric names, the list as
     * it was when the save began: samples of a metric named later stay for the next save.
     */
    static long save(StatsHistory history, Path file, long generation, List<String> names) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream fileOut = Files.newOutputStream(tmp);
                GZIPOutputStream zip = new GZIPOutputStream(fileOut, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                };
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(zip, 1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeLong(generation);
            history.forgotten.clear(); // a base holds no forgotten object; those forgotten from now on go in the log
            history.namesSaved = names.size();
            out.writeInt(names.size());
            for (String n : names) {
                out.writeUTF(n);
            }
            // Objects added while writing are left for the next snapshot; the count comes last.
            for (Map.Entry<ObjectKey, ObjectHistory> e : history.objects.entrySet()) {
                out.writeBoolean(true);
                out.writeUTF(e.getKey().type().wireName());
                out.writeUTF(e.getKey().id());
                // Copied under the object's lock, compressed outside it: the CDB's writer thread,
                // which adds samples, waits for a memory copy at most, never for the deflater.
                ByteBuffer copy = copy(e.getValue(), names.size());
                out.write(copy.array(), 0, copy.position());
            }
            out.writeBoolean(false);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return Files.size(file);
    }

    /**
     * One object's part of the file, in the layout above, as a big-endian buffer filled up to its
     * position. The rings go in with bulk copies ({@code FloatBuffer.put}), not a {@code writeFloat}
     * per slot: a series is 9,360 slots, and a node starts by writing every series once, before its
     * JIT has compiled anything (per-slot writes were most of the cluster service's start).
     */
    private static ByteBuffer copy(ObjectHistory h, int knownNames) {
        synchronized (h) {
            // A metric named after the name list was taken is left out; the object then stays
            // dirty, so the next log frame carries that metric's samples (a frame names the new
            // metric and rewrites the steps since the object's last save, the others' included).
            int kept = 0;
            for (int id : h.metricIds) {
                if (id < knownNames) {
                    kept++;
                }
            }
            if (kept == h.metricIds.length) {
                h.markSaved(); // what follows is on disk once the file is moved in place; a failed save writes a whole one again
            }
            long size = Integer.BYTES + (long) kept * Integer.BYTES;
            for (TierRing t : h.tiers) {
                size += Integer.BYTES + (long) t.stamps.length * Integer.BYTES
                        + (long) kept * ((long) t.stamps.length * Float.BYTES + Double.BYTES + Integer.BYTES);
            }
            ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size));
            out.putInt(kept);
            for (int id : h.metricIds) {
                if (id < knownNames) {
                    out.putInt(id);
                }
            }
            for (TierRing t : h.tiers) {
                out.putInt(t.current);
                out.asIntBuffer().put(t.stamps);
                out.position(out.position() + t.stamps.length * Integer.BYTES);
                for (int m = 0; m < h.metricIds.length; m++) {
                    if (h.metricIds[m] >= knownNames) {
                        continue;
                    }
                    float[] ring = t.values[m];
                    out.asFloatBuffer().put(ring);
                    out.position(out.position() + ring.length * Float.BYTES);
                    out.putDouble(t.sums[m]);
                    out.putInt(t.counts[m]);
                }
            }
            return out;
        }
    }

    /**
     * Loads a snapshot into an empty store. Objects beyond the store's series bound are skipped.
     *
     * @throws IOException if the file cannot be read or is not a history snapshot of this format
     */
    public static void load(Path file, StatsHistory into) throws IOException {
        loadBase(file, into);
    }

    /** As {@link #load}, answering the base's generation and how its metric ids map to the store's (for {@link HistoryLog#replay}). */
    static Base loadBase(Path file, StatsHistory into) throws IOException {
        try (InputStream fileIn = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(fileIn, 1 << 16), 1 << 16))) {
            if (in.readInt() != MAGIC) {
                throw new IOException(file + " is not a stats history snapshot (bad magic)");
            }
            int format = in.readInt();
            if (format != FORMAT && format != 1) {
                throw new IOException(file + " is a stats history snapshot of format " + format + "; this node reads formats 1 and " + FORMAT);
            }
            long generation = format == 1 ? 0 : in.readLong();
            int n = in.readInt();
            int[] remap = new int[n];
            for (int i = 0; i < n; i++) {
                remap[i] = into.names.id(in.readUTF());
            }
            Scratch scratch = new Scratch();
            while (in.readBoolean()) {
                ObjectKey key = ObjectKey.of(ObjectType.parse(in.readUTF()), in.readUTF());
                ObjectHistory h = read(in, remap, scratch);
                if (into.seriesCount() + h.metricCount() <= into.maxSeries()) {
                    into.adopt(key, h);
                }
            }
            List<Integer> ids = new java.util.ArrayList<>(n);
            for (int id : remap) {
                ids.add(id);
            }
            return new Base(generation, ids);
        }
    }

    private static ObjectHistory read(DataInputStream in, int[] remap, Scratch scratch) throws IOException {
        ObjectHistory h = new ObjectHistory();
        int metrics = in.readInt();
        h.metricIds = new int[metrics];
        for (int m = 0; m < metrics; m++) {
            int id = in.readInt();
            if (id < 0 || id >= remap.length) {
                throw new IOException("stats history snapshot names metric " + id + " of " + remap.length);
            }
            h.metricIds[m] = remap[id];
        }
        for (TierRing t : h.tiers) {
            t.current = in.readInt();
            scratch.read(in, t.stamps.length * Integer.BYTES).asIntBuffer().get(t.stamps);
            for (int m = 0; m < metrics; m++) {
                t.addMetric();
                float[] ring = t.values[m];
                scratch.read(in, ring.length * Float.BYTES).asFloatBuffer().get(ring);
                t.sums[m] = in.readDouble();
                t.counts[m] = in.readInt();
            }
        }
        return h;
    }

    /**
     * A ring's bytes read at once and decoded by a bulk copy, not a {@code readFloat} per slot
     * (four single-byte reads each): a node reads every series' 9,360 slots while it starts, before
     * its JIT has compiled the loop.
     */
    private static final class Scratch {
        private byte[] bytes = new byte[0];

        /** The next {@code n} bytes of {@code in} as a big-endian buffer (valid until the next call). */
        ByteBuffer read(DataInputStream in, int n) throws IOException {
            if (bytes.length < n) {
                bytes = new byte[n];
            }
            in.readFully(bytes, 0, n);
            return ByteBuffer.wrap(bytes, 0, n);
        }
    }
}
