package io.acp.ha;

import io.microraft.RaftEndpoint;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.log.SnapshotEntry;
import io.microraft.model.persistence.RaftEndpointPersistentState;
import io.microraft.model.persistence.RaftTermPersistentState;
import io.microraft.persistence.RaftStore;
import io.microraft.persistence.RestoredRaftState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * This member's Raft state on disk ({@code <data dir>/ha/raft.log}), so that a member that restarts
 * keeps its log and its vote: without it, two members restarting while the third is down would form
 * a majority with an empty lease table and could hand a system that still runs to a second node.
 *
 * <p>An append-only file of records (length, type, body; bodies in {@link GroupCodec}'s encoding),
 * replayed at start. Term and vote are fsynced at once ({@code persistAndFlush*}); log entries and
 * snapshot chunks when MicroRaft calls {@link #flush}, which it does before it acknowledges them. A
 * record torn by a crash ends the replay and is cut off. When MicroRaft drops the entries a snapshot
 * covers ({@link #truncateLogEntriesUntil}), the file is rewritten from the state it describes
 * (written beside it, fsynced, renamed over it), so it stays about one snapshot long. Called only on
 * the Raft executor's thread.
 */
final class FileRaftStore implements RaftStore, AutoCloseable {

    private static final RaftModelFactory MODEL = new DefaultRaftModelFactory();
    private static final int ENDPOINT = 1;
    private static final int MEMBERS = 2;
    private static final int TERM = 3;
    private static final int ENTRY = 4;
    private static final int CHUNK = 5;
    private static final int TRUNCATE_FROM = 6;
    private static final int TRUNCATE_UNTIL = 7;
    private static final int DELETE_CHUNKS = 8;

    private final Path file;
    private FileChannel channel;
    /** What the file says, kept to rewrite it and to answer {@link #restored()}. */
    private RaftEndpointPersistentState endpoint;
    private RaftGroupMembersView members;
    private RaftTermPersistentState term;
    private final TreeMap<Long, LogEntry> entries = new TreeMap<>();
    private final TreeMap<Integer, SnapshotChunk> chunks = new TreeMap<>();

    private FileRaftStore(Path file) {
        this.file = file;
    }

    /** Opens (creating) the store in {@code dir} and replays what it holds. */
    static FileRaftStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileRaftStore store = new FileRaftStore(dir.resolve("raft.log"));
        long good = store.replay();
        store.channel = FileChannel.open(store.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        store.channel.truncate(good); // a record torn by a crash
        store.channel.position(good);
        return store;
    }

    /** The state to restart from, or empty if this member never persisted its endpoint (a new member). */
    Optional<RestoredRaftState> restored() {
        if (endpoint == null || members == null) {
            return Optional.empty();
        }
        SnapshotEntry snapshot = null;
        long after = 0;
        if (!chunks.isEmpty()) {
            SnapshotChunk first = chunks.firstEntry().getValue();
            if (chunks.size() == first.getSnapshotChunkCount()) {
                snapshot = MODEL.createSnapshotEntryBuilder().setIndex(first.getIndex()).setTerm(first.getTerm())
                        .setSnapshotChunks(new ArrayList<>(chunks.values())).setGroupMembersView(first.getGroupMembersView()).build();
                after = first.getIndex();
            }
        }
        List<LogEntry> log = new ArrayList<>(entries.tailMap(after, false).values());
        RaftTermPersistentState t = term != null ? term : MODEL.createRaftTermPersistentStateBuilder().setTerm(0).setVotedFor(null).build();
        return Optional.of(new RestoredRaftState(endpoint, members, t, snapshot, log));
    }

    @Override
    public void persistAndFlushLocalEndpoint(RaftEndpointPersistentState state) throws IOException {
        endpoint = state;
        append(ENDPOINT, out -> endpoint(out, state));
        flush();
    }

    @Override
    public void persistAndFlushInitialGroupMembers(RaftGroupMembersView view) throws IOException {
        members = view;
        append(MEMBERS, out -> GroupCodec.view(out, view));
        flush();
    }

    @Override
    public void persistAndFlushTerm(RaftTermPersistentState state) throws IOException {
        term = state;
        append(TERM, out -> term(out, state));
        flush();
    }

    @Override
    public void persistLogEntries(List<LogEntry> logEntries) throws IOException {
        for (LogEntry e : logEntries) {
            entries.put(e.getIndex(), e);
            append(ENTRY, out -> entry(out, e));
        }
    }

    @Override
    public void persistSnapshotChunk(SnapshotChunk chunk) throws IOException {
        applyChunk(chunk);
        append(CHUNK, out -> chunk(out, chunk));
    }

    @Override
    public void truncateLogEntriesFrom(long index) throws IOException {
        entries.tailMap(index, true).clear();
        append(TRUNCATE_FROM, out -> out.writeLong(index));
    }

    @Override
    public void truncateLogEntriesUntil(long index) throws IOException {
        entries.headMap(index, true).clear();
        rewrite();
    }

    @Override
    public void deleteSnapshotChunks(long index, int count) throws IOException {
        deleteChunks(index);
        append(DELETE_CHUNKS, out -> {
            out.writeLong(index);
            out.writeInt(count);
        });
    }

    @Override
    public void flush() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    private void applyChunk(SnapshotChunk chunk) {
        if (!chunks.isEmpty() && chunks.firstEntry().getValue().getIndex() != chunk.getIndex()) {
            chunks.clear(); // a newer snapshot replaces the older one
        }
        chunks.put(chunk.getSnapshotChunkIndex(), chunk);
    }

    private void deleteChunks(long index) {
        if (!chunks.isEmpty() && chunks.firstEntry().getValue().getIndex() == index) {
            chunks.clear();
        }
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private void append(int type, Body body) throws IOException {
        channel.write(ByteBuffer.wrap(record(type, body)));
    }

    private static byte[] record(int type, Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0);
            out.writeByte(type);
            body.write(out);
        }
        byte[] r = bytes.toByteArray();
        ByteBuffer.wrap(r).putInt(0, r.length - 4);
        return r;
    }

    /** Writes the current state as a new file beside the old one, fsyncs it and renames it over the old one. */
    private void rewrite() throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            List<byte[]> records = new ArrayList<>();
            if (endpoint != null) {
                records.add(record(ENDPOINT, o -> endpoint(o, endpoint)));
            }
            if (members != null) {
                records.add(record(MEMBERS, o -> GroupCodec.view(o, members)));
            }
            if (term != null) {
                records.add(record(TERM, o -> term(o, term)));
            }
            for (SnapshotChunk c : chunks.values()) {
                records.add(record(CHUNK, o -> chunk(o, c)));
            }
            for (LogEntry e : entries.values()) {
                records.add(record(ENTRY, o -> entry(o, e)));
            }
            for (byte[] r : records) {
                out.write(ByteBuffer.wrap(r));
            }
            out.force(true);
        }
        channel.close();
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        channel.position(channel.size());
    }

    /** Replays the file into memory; answers the length of its intact records. */
    private long replay() throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] all = Files.readAllBytes(file);
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));
        long good = 0;
        while (good + 4 <= all.length) {
            int length = ByteBuffer.wrap(all, (int) good, 4).getInt();
            if (length <= 0 || good + 4 + length > all.length) {
                break; // torn by a crash
            }
            DataInputStream r = new DataInputStream(new ByteArrayInputStream(all, (int) good + 4, length));
            try {
                apply(r.readUnsignedByte(), r);
            } catch (EOFException | GroupCodec.BadFrame torn) {
                break;
            }
            good += 4 + length;
        }
        in.close();
        return good;
    }

    private void apply(int type, DataInputStream in) throws IOException {
        switch (type) {
            case ENDPOINT -> endpoint = MODEL.createRaftEndpointPersistentStateBuilder().setLocalEndpoint(new Member(in.readUTF()))
                    .setVoting(in.readBoolean()).build();
            case MEMBERS -> members = GroupCodec.view(in);
            case TERM -> {
                int t = in.readInt();
                RaftEndpoint voted = in.readBoolean() ? new Member(in.readUTF()) : null;
                term = MODEL.createRaftTermPersistentStateBuilder().setTerm(t).setVotedFor(voted).build();
            }
            case ENTRY -> {
                LogEntry e = MODEL.createLogEntryBuilder().setIndex(in.readLong()).setTerm(in.readInt()).setOperation(GroupCodec.operation(in)).build();
                entries.put(e.getIndex(), e);
            }
            case CHUNK -> applyChunk(MODEL.createSnapshotChunkBuilder().setIndex(in.readLong()).setTerm(in.readInt())
                    .setOperation(GroupCodec.operation(in)).setSnapshotChunkIndex(in.readInt()).setSnapshotChunkCount(in.readInt())
                    .setGroupMembersView(GroupCodec.view(in)).build());
            case TRUNCATE_FROM -> entries.tailMap(in.readLong(), true).clear();
            case TRUNCATE_UNTIL -> entries.headMap(in.readLong(), true).clear();
            case DELETE_CHUNKS -> {
                long index = in.readLong();
                in.readInt();
                deleteChunks(index);
            }
            default -> throw new GroupCodec.BadFrame("unknown record type " + type + " in " + file);
        }
    }

    private static void endpoint(DataOutputStream out, RaftEndpointPersistentState s) throws IOException {
        out.writeUTF(String.valueOf(s.getLocalEndpoint().getId()));
        out.writeBoolean(s.isVoting());
    }

    private static void term(DataOutputStream out, RaftTermPersistentState s) throws IOException {
        out.writeInt(s.getTerm());
        out.writeBoolean(s.getVotedFor() != null);
        if (s.getVotedFor() != null) {
            out.writeUTF(String.valueOf(s.getVotedFor().getId()));
        }
    }

    private static void entry(DataOutputStream out, LogEntry e) throws IOException {
        out.writeLong(e.getIndex());
        out.writeInt(e.getTerm());
        GroupCodec.operation(out, e.getOperation());
    }

    private static void chunk(DataOutputStream out, SnapshotChunk c) throws IOException {
        out.writeLong(c.getIndex());
        out.writeInt(c.getTerm());
        GroupCodec.operation(out, c.getOperation());
        out.writeInt(c.getSnapshotChunkIndex());
        out.writeInt(c.getSnapshotChunkCount());
        GroupCodec.view(out, c.getGroupMembersView());
    }
}
