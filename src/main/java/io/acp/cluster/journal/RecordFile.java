package io.acp.cluster.journal;

import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * One file of records in {@link RecordFormat}: scanned and cut back to its valid prefix on load,
 * appended to at its end. Not thread-safe: the journal's writer thread is its only user.
 */
final class RecordFile implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RecordFile.class);
    /** Bytes read at once on load. */
    static final int READ_CHUNK_BYTES = 1 << 20;

    private final Path path;
    private final boolean fsync;
    private final FileChannel channel;
    /** End of the last valid record: where the next one goes, and where a failed write is cut back to. */
    private long end;

    private RecordFile(Path path, boolean fsync, FileChannel channel) {
        this.path = path;
        this.fsync = fsync;
        this.channel = channel;
    }

    /** Opens (creating if missing) a record file; call {@link #load} before appending. */
    static RecordFile open(Path path, boolean fsync) throws IOException {
        FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE), RecordFormat.FILE_MODE);
        return new RecordFile(path, fsync, channel);
    }

    Path path() {
        return path;
    }

    long end() {
        return end;
    }

    /**
     * Reads every valid record. At the first invalid one (torn, corrupt, or a bad file header) it
     * logs what it found, cuts the file back to the end of the last valid record and stops, so
     * nothing after damage is ever replayed. An empty file gets its header.
     */
    List<ObjectEntry> load() throws IOException {
        List<ObjectEntry> entries = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        long size = channel.size();
        String problem = checkHeader(size);
        long pos = problem == null && size > 0 ? RecordFormat.HEADER_BYTES : 0;
        // Read in large chunks, not two reads per record: a reload of 100k objects was 200k syscalls.
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(Math.max(size - pos, 0), READ_CHUNK_BYTES));
        chunk.flip();
        while (problem == null && pos < size) {
            if (size - pos < RecordFormat.RECORD_HEADER_BYTES) {
                problem = "truncated record header";
                break;
            }
            if (chunk.remaining() < RecordFormat.RECORD_HEADER_BYTES) {
                chunk = refill(chunk, pos, RecordFormat.RECORD_HEADER_BYTES, size);
            }
            int length = chunk.getInt(chunk.position());
            int crc = chunk.getInt(chunk.position() + 4);
            if (length <= 0 || length > RecordFormat.MAX_PAYLOAD_BYTES) {
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
            int payloadAt = chunk.arrayOffset() + chunk.position() + RecordFormat.RECORD_HEADER_BYTES;
            if (RecordFormat.crc(buffer, payloadAt, length) != crc) {
                problem = "crc mismatch";
                break;
            }
            payloads.add(java.util.Arrays.copyOfRange(buffer, payloadAt, payloadAt + length));
            offsets.add(pos);
            chunk.position(chunk.position() + whole);
            pos += whole;
        }
        // Checked in file order above; parsed here on every core: building the JSON trees is most
        // of a reload, and each record parses on its own.
        ParsedRecords parsed = ParsedRecords.parse(payloads);
        entries.addAll(parsed.entries());
        if (parsed.failure() != null) {
            long at = offsets.get(parsed.entries().size());
            if (problem == null || at < pos) {
                problem = "unparsable entry: " + parsed.failure();
                pos = at;
            }
        }
        if (problem != null) {
            LOG.errorf("journal %s: corrupt record at offset %d (%s); cutting %d bytes, keeping %d records",
                    path, pos, problem, size - pos, entries.size());
            channel.truncate(pos);
        }
        if (pos == 0) {
            writeFully(RecordFormat.fileHeader(), 0);
            pos = RecordFormat.HEADER_BYTES;
        }
        if (problem != null || size == 0) {
            force();
        }
        end = pos;
        return entries;
    }

    /** Null if the header is good (or the file is new and empty), else what is wrong with it. */
    private String checkHeader(long size) throws IOException {
        if (size == 0) {
            return null;
        }
        if (size < RecordFormat.HEADER_BYTES) {
            return "truncated file header";
        }
        ByteBuffer header = ByteBuffer.allocate(RecordFormat.HEADER_BYTES);
        readFully(header, 0);
        if (header.getInt(0) != RecordFormat.MAGIC) {
            return "bad file header";
        }
        int version = header.getInt(4);
        if (version != RecordFormat.VERSION) {
            // Not damage: a newer build wrote it. Refuse rather than destroy it.
            throw new AcpException(ErrorCode.UNAVAILABLE, "journal " + path + ": format version " + version
                    + " is not supported by this build (expects " + RecordFormat.VERSION + ")");
        }
        return null;
    }

    /** Writes the records after the last valid one; on failure cuts the file back so it stays valid. */
    void append(List<ByteBuffer> records) throws IOException {
        long pos = end;
        try {
            for (ByteBuffer r : records) {
                pos += writeFully(r, pos);
            }
            force();
        } catch (IOException e) {
            cutBack(e);
            throw e;
        }
        end = pos;
    }

    /** Drops every record, keeping the header. */
    void clear() throws IOException {
        channel.truncate(RecordFormat.HEADER_BYTES);
        force();
        end = RecordFormat.HEADER_BYTES;
    }

    void force() throws IOException {
        if (fsync) {
            channel.force(true);
        }
    }

    private void cutBack(IOException cause) {
        try {
            channel.truncate(end);
            force();
        } catch (IOException e) {
            cause.addSuppressed(e);
            LOG.errorf("journal %s: could not cut back to %d bytes after a failed write: %s", path, end, e.getMessage());
        }
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
