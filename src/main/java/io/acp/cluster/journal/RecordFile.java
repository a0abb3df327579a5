package io.acp.cluster.journal;

import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One file of records in {@link RecordFormat}: checked and parsed in one pass on load (and cut
 * back to its valid prefix), appended to at its logical end. Not thread-safe: the journal's
 * writer thread is its only user.
 *
 * <p>The active journal is preallocated: zeros are written ahead of its last record, a step at a
 * time, and synced once, so that an append only overwrites blocks the file already owns and its
 * sync is an {@code fdatasync} with no metadata to commit. The file's size is therefore not its
 * end: the end is where the records stop and the zeros begin ({@link RecordFormat}).
 */
final class RecordFile implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RecordFile.class);
    /** Bytes read at once on load. */
    static final int READ_CHUNK_BYTES = 1 << 20;
    /** A version-1 file is rewritten beside itself under this suffix, then renamed over itself. */
    static final String MIGRATING_SUFFIX = ".migrating";
    private static final int ZERO_BLOCK_BYTES = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_BLOCK_BYTES).asReadOnlyBuffer();
    /** A block of zeros to compare read blocks with (never written). */
    private static final byte[] ZERO_BYTES = new byte[ZERO_BLOCK_BYTES];

    private final Path path;
    private final boolean fsync;
    private final long preallocateBytes;
    private FileChannel channel;
    /** End of the last valid record: where the next one goes, and where a failed write is cut back to. */
    private long end;
    /** Size of the file: {@link #end} plus the zeros preallocated after it. */
    private long allocated;
    /** After a preallocation failed (a full disk), none is tried again until the end passes this. */
    private long preallocateAgainAt;

    private RecordFile(Path path, boolean fsync, long preallocateBytes, FileChannel channel) {
        this.path = path;
        this.fsync = fsync;
        this.preallocateBytes = preallocateBytes;
        this.channel = channel;
    }

    /**
     * Opens (creating if missing) a record file; call {@link #load} before appending.
     *
     * @param preallocateBytes zeros kept written ahead of the end (0: none, for files written whole)
     */
    static RecordFile open(Path path, boolean fsync, long preallocateBytes) throws IOException {
        return new RecordFile(path, fsync, preallocateBytes, openChannel(path));
    }

    private static FileChannel openChannel(Path path) throws IOException {
        return FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE), RecordFormat.FILE_MODE);
    }

    Path path() {
        return path;
    }

    /** The logical end: the bytes of header and records, without preallocated zeros. */
    long end() {
        return end;
    }

    /**
     * Reads every valid record, checking and parsing each once, in file order. At the first
     * invalid one (torn, corrupt, unparsable, or a bad file header) it logs what it found, cuts the
     * file back to the end of the last valid record and stops, so nothing after damage is ever
     * replayed. Zeros after the last record are the preallocated rest, not damage. An empty file
     * gets its header; a version-1 file is rewritten in the current format.
     */
    List<ObjectEntry> load() throws IOException {
        long size = channel.size();
        int version = size == 0 ? RecordFormat.VERSION : readVersion(size);
        Scan scan;
        if (size == 0) {
            scan = new Scan(new ArrayList<>(), 0, null);
        } else if (version < 0) {
            scan = new Scan(new ArrayList<>(), 0, version == -1 ? "truncated file header" : "bad file header");
        } else {
            scan = scan(version, size);
        }
        long pos = scan.end;
        if (scan.problem != null) {
            LOG.errorf("journal %s: corrupt record at offset %d (%s); cutting %d bytes, keeping %d records",
                    path, pos, scan.problem, dataEnd(pos, size) - pos, scan.entries.size());
            channel.truncate(pos);
            size = pos;
        }
        boolean created = pos == 0;
        if (created) {
            writeFully(RecordFormat.fileHeader(), 0);
            pos = RecordFormat.HEADER_BYTES;
            size = pos;
        }
        if (scan.problem != null || created) {
            forceAll();
        }
        end = pos;
        allocated = size;
        if (version == LegacyRecords.VERSION) {
            migrate(scan.entries);
        }
        preallocate();
        return scan.entries;
    }

    private record Scan(List<ObjectEntry> entries, long end, String problem) {
    }

    /** The header's format version; -1 if the file is too short for one, -2 if it is no journal file. */
    private int readVersion(long size) throws IOException {
        if (size < RecordFormat.HEADER_BYTES) {
            return -1;
        }
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.HEADER_BYTES);
        readFully(header, 0);
        if (header.getInt(0) != RecordFormat.MAGIC) {
            return -2;
        }
        int version = header.getInt(4);
        if (version == 0) {
            return -2; // no build wrote 0: a header torn while the file was created
        }
        if (version != RecordFormat.VERSION && version != LegacyRecords.VERSION) {
            // Not damage: a newer build wrote it. Refuse rather than destroy it.
            throw new AcpException(ErrorCode.UNAVAILABLE, "journal " + path + ": format version " + Integer.toUnsignedString(version)
                    + " is not supported by this build (it reads " + LegacyRecords.VERSION + " and " + RecordFormat.VERSION + ")");
        }
        return version;
    }

    /** One pass over the records after the header: each checked, then parsed at once from the read buffer. */
    private Scan scan(int version, long size) throws IOException {
        boolean legacy = version == LegacyRecords.VERSION;
        List<ObjectEntry> entries = new ArrayList<>();
        long pos = RecordFormat.HEADER_BYTES;
        String problem = null;
        // Read in large chunks, not two reads per record: a reload of 100k objects was 200k syscalls.
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(Math.max(size - pos, 0), READ_CHUNK_BYTES));
        chunk.flip();
        while (pos < size) {
            if (size - pos < RecordFormat.RECORD_HEADER_BYTES) {
                problem = !legacy && zeros(pos, size) ? null : "truncated record header";
                break;
            }
            if (chunk.remaining() < RecordFormat.RECORD_HEADER_BYTES) {
                chunk = refill(chunk, pos, RecordFormat.RECORD_HEADER_BYTES, size);
            }
            int length = chunk.getInt(chunk.position());
            int crc = chunk.getInt(chunk.position() + 4);
            if (length == 0 && !legacy) {
                problem = zeros(pos, size) ? null : "a zero length (the end) followed by non-zero bytes";
                break;
            }
            if (length <= 0 || length > RecordFormat.MAX_PAYLOAD_BYTES + (legacy ? 0 : 1)) {
                problem = "absurd length " + Integer.toUnsignedString(length);
                break;
            }
            if (size - pos - RecordFormat.RECORD_HEADER_BYTES < length) {
                problem = "truncated payload";
                break;
            }
            int whole = RecordFormat.RECORD_HEADER_BYTES + length;
            if (chunk.remaining() < whole) {
                chunk = refill(chunk, pos, whole, size);
            }
            byte[] buffer = chunk.array();
            int at = chunk.arrayOffset() + chunk.position();
            int bodyAt = at + RecordFormat.RECORD_HEADER_BYTES;
            if ((legacy ? LegacyRecords.crc(buffer, bodyAt, length) : RecordFormat.crc(buffer, at, length)) != crc) {
                problem = "crc mismatch";
                break;
            }
            try {
                entries.add(legacy ? LegacyRecords.decode(buffer, bodyAt, length) : decode(buffer, bodyAt, length));
            } catch (RuntimeException e) {
                problem = "unparsable entry: " + e.getMessage();
                break;
            }
            chunk.position(chunk.position() + whole);
            pos += whole;
        }
        return new Scan(entries, pos, problem);
    }

    private static ObjectEntry decode(byte[] buffer, int bodyAt, int length) {
        byte type = buffer[bodyAt];
        if (type != RecordFormat.OBJECT_ENTRY) {
            throw new IllegalArgumentException("unknown record type " + (type & 0xFF));
        }
        return ObjectEntryCodec.decode(buffer, bodyAt + 1, length - 1);
    }

    /**
     * Rewrites a version-1 file in the current format beside itself, then renames it over the old
     * one: a crash leaves either file whole (the half-written one is discarded on the next open).
     */
    private void migrate(List<ObjectEntry> entries) throws IOException {
        Path temp = path.resolveSibling(path.getFileName() + MIGRATING_SUFFIX);
        long written = RecordFormat.HEADER_BYTES;
        try (FileChannel out = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), RecordFormat.FILE_MODE)) {
            OutputStream stream = new BufferedOutputStream(Channels.newOutputStream(out), 1 << 16);
            stream.write(RecordFormat.fileHeader().array());
            for (ObjectEntry e : entries) {
                ByteBuffer record = RecordFormat.record(RecordFormat.payload(e));
                stream.write(record.array(), 0, record.limit());
                written += record.limit();
            }
            stream.flush();
            if (fsync) {
                out.force(true);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        channel.close();
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
            SnapshotFile.syncDirectory(path.toAbsolutePath().getParent());
        }
        channel = openChannel(path);
        end = written;
        allocated = written;
        LOG.infof("journal %s: format version %d rewritten in version %d (%d records)", path, LegacyRecords.VERSION, RecordFormat.VERSION, entries.size());
    }

    /** Writes the records after the last valid one; on failure cuts the file back so it stays valid. */
    void append(List<ByteBuffer> records) throws IOException {
        long pos = end;
        try {
            for (ByteBuffer r : records) {
                pos += writeFully(r, pos);
            }
            allocated = Math.max(allocated, pos);
            preallocate(pos);
            // fdatasync: the file's size and blocks are what reading the records back needs, and
            // fdatasync flushes those when they changed; only the times are left unsynced.
            forceData();
        } catch (IOException e) {
            cutBack(e);
            throw e;
        }
        end = pos;
    }

    /** Drops every record, keeping the header. */
    void clear() throws IOException {
        channel.truncate(RecordFormat.HEADER_BYTES);
        forceAll();
        end = RecordFormat.HEADER_BYTES;
        allocated = end;
        preallocateAgainAt = 0;
        preallocate();
    }

    private void preallocate() throws IOException {
        if (preallocate(end)) {
            forceData();
        }
    }

    /**
     * When less than half a step of zeros is left after {@code from}, writes zeros up to a whole
     * step past it. Best effort: on a full disk the zeros are cut off again (the records need the
     * space more) and the journal goes on without them for a step. True if zeros were written.
     */
    private boolean preallocate(long from) {
        if (preallocateBytes <= 0 || allocated - from >= preallocateBytes / 2 || from < preallocateAgainAt) {
            return false;
        }
        long target = from + preallocateBytes;
        long pos = allocated;
        try {
            while (pos < target) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(ZERO_BLOCK_BYTES, target - pos));
                pos += writeFully(zeros, pos);
            }
            allocated = target;
            return true;
        } catch (IOException e) {
            preallocateAgainAt = from + preallocateBytes;
            LOG.warnf("journal %s: cannot preallocate %d bytes (%s); appending without until offset %d",
                    path, target - allocated, e.getMessage(), preallocateAgainAt);
            try {
                channel.truncate(Math.max(from, end));
                allocated = Math.max(from, end);
            } catch (IOException t) {
                LOG.warnf("journal %s: cannot cut the preallocated zeros off: %s", path, t.getMessage());
            }
            return false;
        }
    }

    private void forceData() throws IOException {
        if (fsync) {
            channel.force(false);
        }
    }

    /** A full sync, for a file cut shorter or created: the size change must be on disk too. */
    void forceAll() throws IOException {
        if (fsync) {
            channel.force(true);
        }
    }

    private void cutBack(IOException cause) {
        try {
            channel.truncate(end);
            allocated = end;
            forceAll();
        } catch (IOException e) {
            cause.addSuppressed(e);
            LOG.errorf("journal %s: could not cut back to %d bytes after a failed write: %s", path, end, e.getMessage());
        }
    }

    /** Whether the file holds only zeros from {@code from} to {@code size}. */
    private boolean zeros(long from, long size) throws IOException {
        return dataEnd(from, size) == from;
    }

    /** Just past the last non-zero byte at or after {@code from} (so {@code from} if there is none). */
    private long dataEnd(long from, long size) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(ZERO_BLOCK_BYTES);
        long blockEnd = size;
        while (blockEnd > from) {
            long blockStart = Math.max(from, blockEnd - ZERO_BLOCK_BYTES);
            block.clear().limit((int) (blockEnd - blockStart));
            readFully(block, blockStart);
            byte[] b = block.array();
            // Most blocks are the preallocated zeros, checked at every start: one vectorised
            // compare per block (Arrays.equals) instead of a byte loop the JIT has not compiled yet.
            if (Arrays.equals(b, 0, block.limit(), ZERO_BYTES, 0, block.limit())) {
                blockEnd = blockStart;
                continue;
            }
            for (int i = block.limit() - 1; i >= 0; i--) {
                if (b[i] != 0) {
                    return blockStart + i + 1;
                }
            }
            blockEnd = blockStart;
        }
        return from;
    }

    private int writeFully(ByteBuffer b, long pos) throws IOException {
        int n = 0;
        while (b.hasRemaining()) {
            n += channel.write(b, pos + n);
        }
        return n;
    }

    /**
     * The unread rest of {@code chunk} followed by what the file holds from there on, at least
     * {@code need} bytes (the file is known to hold them), in a buffer grown if a record is larger.
     */
    private ByteBuffer refill(ByteBuffer chunk, long pos, int need, long size) throws IOException {
        int capacity = Math.max(chunk.capacity(), need);
        ByteBuffer next = capacity == chunk.capacity() ? chunk : ByteBuffer.allocate(capacity);
        if (next != chunk) {
            next.put(chunk);
        } else {
            chunk.compact();
        }
        long from = pos + next.position();
        int want = (int) Math.min(next.remaining(), size - from);
        ByteBuffer window = next.slice();
        window.limit(want);
        readFully(window, from);
        next.position(next.position() + want);
        next.flip();
        return next;
    }

    private void readFully(ByteBuffer b, long pos) throws IOException {
        int n = 0;
        while (b.hasRemaining()) {
            int r = channel.read(b, pos + n);
            if (r < 0) {
                throw new IOException("journal " + path + ": unexpected end of file at offset " + (pos + n));
            }
            n += r;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
