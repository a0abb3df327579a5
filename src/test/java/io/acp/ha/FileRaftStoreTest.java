package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.persistence.RestoredRaftState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft store's file on a real disk: what a member persisted comes back after a reopen, a
 * snapshot replaces the entries it covers (and the file is rewritten shorter), a conflicting tail
 * is truncated, and a record torn by a crash is cut off while everything before it survives.
 */
class FileRaftStoreTest {

    private static final DefaultRaftModelFactory MODEL = new DefaultRaftModelFactory();
    private static final RaftGroupMembersView VIEW = MODEL.createRaftGroupMembersViewBuilder().setLogIndex(0)
            .setMembers(List.of(new Member("n1"), new Member("n2"), new Member("n3")))
            .setVotingMembers(List.of(new Member("n1"), new Member("n2"), new Member("n3"))).build();

    @TempDir
    Path dir;

    private static LogEntry entry(long index, int term) {
        return MODEL.createLogEntryBuilder().setIndex(index).setTerm(term).setOperation(new LeaseOp.Renew("n1", index, 3_000)).build();
    }

    private FileRaftStore fresh() throws Exception {
        FileRaftStore s = FileRaftStore.open(dir);
        s.persistAndFlushLocalEndpoint(MODEL.createRaftEndpointPersistentStateBuilder().setLocalEndpoint(new Member("n1")).setVoting(true).build());
        s.persistAndFlushInitialGroupMembers(VIEW);
        s.persistAndFlushTerm(MODEL.createRaftTermPersistentStateBuilder().setTerm(2).setVotedFor(new Member("n2")).build());
        return s;
    }

    private static List<Long> indexes(RestoredRaftState r) {
        return r.getLogEntries().stream().map(LogEntry::getIndex).toList();
    }

    @Test
    void aNewStoreRestoresNothing() throws Exception {
        try (FileRaftStore s = FileRaftStore.open(dir)) {
            assertThat(s.restored()).isEmpty();
        }
    }

    @Test
    void entriesTermAndVoteComeBackAndATruncatedTailStaysGone() throws Exception {
        try (FileRaftStore s = fresh()) {
            s.persistLogEntries(List.of(entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2)));
            s.truncateLogEntriesFrom(3);
            s.persistLogEntries(List.of(entry(3, 3)));
            s.flush();
        }
        try (FileRaftStore s = FileRaftStore.open(dir)) {
            RestoredRaftState r = s.restored().orElseThrow();
            assertThat(r.getLocalEndpointPersistentState().getLocalEndpoint()).isEqualTo(new Member("n1"));
            assertThat(r.getInitialGroupMembers().getMembers()).hasSize(3);
            assertThat(r.getTermPersistentState().getTerm()).isEqualTo(2);
            assertThat(r.getTermPersistentState().getVotedFor()).isEqualTo(new Member("n2"));
            assertThat(indexes(r)).containsExactly(1L, 2L, 3L);
            assertThat(r.getLogEntries().get(2).getTerm()).isEqualTo(3);
            assertThat(r.getSnapshotEntry()).isNull();
        }
    }

    @Test
    void aSnapshotReplacesTheEntriesItCoversAndTheFileIsRewrittenShorter() throws Exception {
        Path file = dir.resolve("raft.log");
        try (FileRaftStore s = fresh()) {
            for (long i = 1; i <= 200; i++) {
                s.persistLogEntries(List.of(entry(i, 2)));
            }
            s.flush();
            long before = Files.size(file);
            LeaseTable.LeaseSnapshot table = new LeaseTable.LeaseSnapshot(150, Map.of("n1", 3_150L), Map.of("web", "n1"));
            SnapshotChunk chunk = MODEL.createSnapshotChunkBuilder().setIndex(150).setTerm(2).setOperation(table)
                    .setSnapshotChunkIndex(0).setSnapshotChunkCount(1).setGroupMembersView(VIEW).build();
            s.persistSnapshotChunk(chunk);
            s.flush();
            s.truncateLogEntriesUntil(150);
            assertThat(Files.size(file)).as("rewritten without the entries the snapshot covers").isLessThan(before / 2);
            s.persistLogEntries(List.of(entry(201, 2)));
            s.flush();
        }
        try (FileRaftStore s = FileRaftStore.open(dir)) {
            RestoredRaftState r = s.restored().orElseThrow();
            assertThat(r.getSnapshotEntry().getIndex()).isEqualTo(150);
            @SuppressWarnings("unchecked")
            List<SnapshotChunk> chunks = (List<SnapshotChunk>) r.getSnapshotEntry().getOperation();
            assertThat(chunks).hasSize(1);
            assertThat(chunks.get(0).getOperation()).isEqualTo(new LeaseTable.LeaseSnapshot(150, Map.of("n1", 3_150L), Map.of("web", "n1")));
            assertThat(chunks.get(0).getGroupMembersView().getMembers()).hasSize(3);
            assertThat(indexes(r)).first().isEqualTo(151L);
            assertThat(indexes(r)).last().isEqualTo(201L);
            assertThat(indexes(r)).hasSize(51);
        }
    }

    @Test
    void aRecordTornByACrashIsCutOffAndTheStoreGoesOnAfterIt() throws Exception {
        Path file = dir.resolve("raft.log");
        try (FileRaftStore s = fresh()) {
            s.persistLogEntries(List.of(entry(1, 2), entry(2, 2)));
            s.flush();
        }
        long intact = Files.size(file);
        // A crash in the middle of writing entry 3: its length says more than the file holds.
        Files.write(file, new byte[] {0, 0, 0, 40, 4, 0, 0}, StandardOpenOption.APPEND);
        try (FileRaftStore s = FileRaftStore.open(dir)) {
            assertThat(indexes(s.restored().orElseThrow())).containsExactly(1L, 2L);
            assertThat(Files.size(file)).as("the torn record is cut off").isEqualTo(intact);
            s.persistLogEntries(List.of(entry(3, 2)));
            s.flush();
        }
        try (FileRaftStore s = FileRaftStore.open(dir)) {
            assertThat(indexes(s.restored().orElseThrow())).containsExactly(1L, 2L, 3L);
        }
    }
}
