package io.acp.cluster.history;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;

/**
 * What changed in the history store since its last base ({@link HistorySnapshot}) or last frame:
 * appended to {@code stats.log} as one frame per save, so a save writes the slots filled since the
 * one before (about 60 one-second slots and one slot of each coarser range per series and minute)
 * instead of all 9,360 slots of every series. A frame is {@code int length} then its deflated body;
 * a frame cut short by a crash ends the replay there (the samples of that last minute are lost, as
 * with a base that was never written).
 *
 * <p>The file starts with {@code ACPL} and the generation of its base: a log replays only onto
 * the base it follows. Body of a frame (big-endian): the metric names added since the last frame ({@code int first, int n,
 * n × UTF}), the objects forgotten ({@code int n, n × (type, id)}), then per object that got
 * samples: {@code true}, its key, its metric ids, and per range the current step, per metric the
 * running sum and count, and the changed slots ({@code int n, n × (step, metrics × float)});
 * {@code false} ends it. Ids are those of the base written by the same process: a node writes a new
 * base, and starts a new log, every time it starts.
 */
final class HistoryLog {

    private HistoryLog() {
    }

    /** The log beside a base file. */
    static Path of(Path base) {
        return base.resolveSibling(base.getFileName().toString().replaceFirst("\\.bin$", "") + ".log");
    }

    private static final int MAGIC = 0x4143504c; // ACPL

    /** Starts an empty log for base {@code generation} (replacing any older one); returns the bytes written. */
    static long start(Path log, long generation) throws IOException {
        Path tmp = log.resolveSibling(log.getFileName() + ".tmp");
        ByteBuffer header = ByteBuffer.allocate(Integer.BYTES + Long.BYTES).putInt(MAGIC).putLong(generation).flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (header.hasRemaining()) {
                ch.write(header);
            }
        }
        Files.move(tmp, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return Integer.BYTES + Long.BYTES;
    }

    /** Appends one frame of what changed since the last save; returns the bytes appended (0: nothing changed). */
    static long append(StatsHistory history, Path log) throws IOException {
        return append(history, log, history.names.all());
    }

    /** As {@link #append(StatsHistory, Path)} with {@code names} as the name list taken when the save began. */
    static long append(StatsHistory history, Path log, List<String> names) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        boolean any;
        try (DataOutputStream out = new DataOutputStream(new DeflaterOutputStream(body, new Deflater(Deflater.BEST_SPEED), 1 << 14))) {
            any = write(history, out, names);
        }
        if (!any) {
            return 0;
        }
        ByteBuffer frame = ByteBuffer.allocate(Integer.BYTES + body.size());
        frame.putInt(body.size()).put(body.toByteArray()).flip();
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (frame.hasRemaining()) {
                ch.write(frame);
            }
        }
        return Integer.BYTES + body.size();
    }

    private static boolean write(StatsHistory history, DataOutputStream out, List<String> names) throws IOException {
        int first = Math.min(history.namesSaved, names.size());
        out.writeInt(first);
        out.writeInt(names.size() - first);
        for (String n : names.subList(first, names.size())) {
            out.writeUTF(n);
        }
        List<ObjectKey> forgotten = new ArrayList<>(history.forgotten);
        history.forgotten.removeAll(forgotten);
        out.writeInt(forgotten.size());
        for (ObjectKey k : forgotten) {
            out.writeUTF(k.type().wireName());
            out.writeUTF(k.id());
        }
        boolean any = first < names.size() || !forgotten.isEmpty();
        for (Map.Entry<ObjectKey, ObjectHistory> e : history.objects.entrySet()) {
            ObjectHistory h = e.getValue();
            // copied under the object's lock, deflated outside it (the writer thread only waits for a memory copy)
            ByteArrayOutputStream copy = new ByteArrayOutputStream(4 * 1024);
            synchronized (h) {
                if (!h.dirty) {
                    continue;
                }
                boolean whole;
                try (DataOutputStream raw = new DataOutputStream(copy)) {
                    whole = writeChanges(h, raw, names.size());
                }
                if (whole) {
                    h.markSaved(); // else a metric named meanwhile was left out: the next frame carries it
                }
            }
            out.writeBoolean(true);
            out.writeUTF(e.getKey().type().wireName());
            out.writeUTF(e.getKey().id());
            copy.writeTo(out);
            any = true;
        }
        out.writeBoolean(false);
        history.namesSaved = names.size();
        return any;
    }

    /** Writes an object's changes of the metrics named in the first {@code knownNames}; false if some other metric was left out. */
    private static boolean writeChanges(ObjectHistory h, DataOutputStream out, int knownNames) throws IOException {
        List<Integer> kept = new ArrayList<>();
        for (int m = 0; m < h.metricIds.length; m++) {
            if (h.metricIds[m] < knownNames) { // named after the name list was taken: in the next frame
                kept.add(m);
            }
        }
        out.writeInt(kept.size());
        for (int m : kept) {
            out.writeInt(h.metricIds[m]);
        }
        for (TierRing t : h.tiers) {
            out.writeInt(t.current);
            for (int m : kept) {
                out.writeDouble(t.sums[m]);
                out.writeInt(t.counts[m]);
            }
            int[] steps = t.changedSteps();
            out.writeInt(steps.length);
            for (int step : steps) {
                out.writeInt(step);
                int slot = t.slot(step);
                for (int m : kept) {
                    out.writeFloat(t.values[m][slot]);
                }
            }
        }
        return kept.size() == h.metricIds.length;
    }

    /**
     * Replays the frames of {@code log} onto a store just loaded from its base; {@code remap} maps
     * the base's metric ids to the store's and grows with the names the frames add. Returns the
     * frames replayed; stops at a frame cut short.
     */
    static int replay(Path log, StatsHistory into, long generation, List<Integer> remap) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        int frames = 0;
        try (InputStream file = Files.newInputStream(log); DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(file, 1 << 16))) {
            try {
                if (in.readInt() != MAGIC || in.readLong() != generation) {
                    return 0; // the log of an older base (a crash between a new base and its new log): the base holds it all
                }
            } catch (EOFException empty) {
                return 0;
            }
            while (true) {
                int length;
                byte[] body;
                try {
                    length = in.readInt();
                    if (length < 0 || length > (1 << 30)) {
                        throw new IOException("stats history log " + log + " has a frame of " + length + " bytes");
                    }
                    body = in.readNBytes(length);
                } catch (EOFException end) {
                    return frames;
                }
                if (body.length < length) {
                    return frames; // cut short by a crash mid-append
                }
                try (DataInputStream f = new DataInputStream(new InflaterInputStream(new ByteArrayInputStream(body)))) {
                    apply(f, into, remap);
                }
                frames++;
            }
        }
    }

    private static void apply(DataInputStream in, StatsHistory into, List<Integer> remap) throws IOException {
        int first = in.readInt();
        int n = in.readInt();
        if (first != remap.size()) {
            throw new IOException("stats history log frame adds metric names from " + first + " but " + remap.size() + " are known");
        }
        for (int i = 0; i < n; i++) {
            remap.add(into.names.id(in.readUTF()));
        }
        int forgotten = in.readInt();
        for (int i = 0; i < forgotten; i++) {
            into.forget(ObjectKey.of(ObjectType.parse(in.readUTF()), in.readUTF()));
        }
        into.forgotten.clear(); // forgotten on disk already
        while (in.readBoolean()) {
            ObjectKey key = ObjectKey.of(ObjectType.parse(in.readUTF()), in.readUTF());
            ObjectHistory h = into.objects.computeIfAbsent(key, k -> new ObjectHistory());
            int metrics = in.readInt();
            int[] local = new int[metrics];
            synchronized (h) {
                for (int m = 0; m < metrics; m++) {
                    int id = in.readInt();
                    if (id < 0 || id >= remap.size()) {
                        throw new IOException("stats history log names metric " + id + " of " + remap.size());
                    }
                    local[m] = h.local(remap.get(id), into::reserve); // -1: beyond the store's bound, skipped
                }
                for (TierRing t : h.tiers) {
                    t.current = in.readInt();
                    for (int m = 0; m < metrics; m++) {
                        double sum = in.readDouble();
                        int count = in.readInt();
                        if (local[m] >= 0) {
                            t.sums[local[m]] = sum;
                            t.counts[local[m]] = count;
                        }
                    }
                    int slots = in.readInt();
                    for (int s = 0; s < slots; s++) {
                        int step = in.readInt();
                        for (int m = 0; m < metrics; m++) {
                            float v = in.readFloat();
                            if (local[m] >= 0) {
                                t.restore(step, local[m], v);
                            }
                        }
                    }
                }
                h.markSaved();
            }
        }
    }
}
