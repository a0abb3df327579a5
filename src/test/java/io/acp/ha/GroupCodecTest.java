package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.InstallSnapshotRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ownership wire format carries every field, and refuses what it cannot parse. */
class GroupCodecTest {

    private static final DefaultRaftModelFactory MODEL = new DefaultRaftModelFactory();

    @Test
    void anAppendEntriesWithLeaseOperationsRoundTrips() {
        AppendEntriesRequest sent = MODEL.createAppendEntriesRequestBuilder().setGroupId(OwnershipGroup.GROUP_ID).setSender(new Member("n1"))
                .setTerm(3).setPreviousLogTerm(2).setPreviousLogIndex(41).setCommitIndex(40)
                .setLogEntries(List.of(
                        MODEL.createLogEntryBuilder().setIndex(42).setTerm(3).setOperation(new LeaseOp.Renew("n2", 1000, 10_000)).build(),
                        MODEL.createLogEntryBuilder().setIndex(43).setTerm(3).setOperation(new LeaseOp.Take("web", "n2", 1001)).build(),
                        MODEL.createLogEntryBuilder().setIndex(44).setTerm(3).setOperation(new LeaseOp.NewTerm()).build()))
                .setQuerySequenceNumber(7).setFlowControlSequenceNumber(9).build();

        AppendEntriesRequest got = (AppendEntriesRequest) GroupCodec.decode(GroupCodec.encode(sent));

        assertThat(got.getSender()).isEqualTo(new Member("n1"));
        assertThat(got.getTerm()).isEqualTo(3);
        assertThat(got.getPreviousLogIndex()).isEqualTo(41);
        assertThat(got.getCommitIndex()).isEqualTo(40);
        assertThat(got.getLogEntries()).extracting(e -> e.getOperation())
                .containsExactly(new LeaseOp.Renew("n2", 1000, 10_000), new LeaseOp.Take("web", "n2", 1001), new LeaseOp.NewTerm());
        assertThat(got.getFlowControlSequenceNumber()).isEqualTo(9);
    }

    @Test
    void aSnapshotOfTheLeaseTableRoundTrips() {
        LeaseTable.LeaseSnapshot table = new LeaseTable.LeaseSnapshot(5, Map.of("n1", 15L), Map.of("web", "n1"));
        InstallSnapshotRequest sent = MODEL.createInstallSnapshotRequestBuilder().setGroupId(OwnershipGroup.GROUP_ID).setSender(new Member("n1"))
                .setTerm(2).setSenderLeader(true).setSnapshotTerm(2).setSnapshotIndex(1000).setTotalSnapshotChunkCount(1)
                .setSnapshotChunk(MODEL.createSnapshotChunkBuilder().setIndex(1000).setTerm(2).setOperation(table)
                        .setSnapshotChunkIndex(0).setSnapshotChunkCount(1)
                        .setGroupMembersView(MODEL.createRaftGroupMembersViewBuilder().setLogIndex(0)
                                .setMembers(List.of(new Member("n1"), new Member("n2"), new Member("w")))
                                .setVotingMembers(List.of(new Member("n1"), new Member("n2"), new Member("w"))).build()).build())
                .setSnapshottedMembers(List.of(new Member("n1"))).setGroupMembersView(null)
                .setQuerySequenceNumber(1).setFlowControlSequenceNumber(2).build();

        InstallSnapshotRequest got = (InstallSnapshotRequest) GroupCodec.decode(GroupCodec.encode(sent));

        assertThat(got.getSnapshotChunk().getOperation()).isEqualTo(table);
        assertThat(got.getSnapshotChunk().getGroupMembersView().getVotingMembers()).hasSize(3);
        assertThat(got.getGroupMembersView()).isNull();
    }

    @Test
    void forwardsAndRepliesRoundTrip() {
        GroupMessage.Reply reply = new GroupMessage.Reply(4, "n1", 44, new LeaseResult.Granted("n2", 11_000, List.of("db", "web")), null);
        assertThat(GroupCodec.decode(GroupCodec.encode(reply))).isEqualTo(reply);
        GroupMessage.Reply error = new GroupMessage.Reply(5, "n1", -1, null, "node n1: not the leader");
        assertThat(GroupCodec.decode(GroupCodec.encode(error))).isEqualTo(error);
    }

    @Test
    void truncatedTrailingAndNegativeCountFramesAreRefused() {
        byte[] good = GroupCodec.encode(new GroupMessage.Forward(1, "n2", new LeaseOp.Take("web", "n2", 1)));
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> GroupCodec.decode(shorter)).isInstanceOf(GroupCodec.BadFrame.class);
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> GroupCodec.decode(longer)).isInstanceOf(GroupCodec.BadFrame.class).hasMessageContaining("after its end");
        byte[] reply = GroupCodec.encode(new GroupMessage.Reply(1, "n1", 1, new LeaseResult.Granted("n1", 1, List.of()), null));
        // The owned-list count sits after type, id, from, index, result tag, node and expiry: make it negative.
        int countAt = 1 + 8 + 4 + 8 + 1 + 4 + 8;
        reply[countAt] = (byte) 0xFF;
        assertThatThrownBy(() -> GroupCodec.decode(reply)).isInstanceOf(GroupCodec.BadFrame.class).hasMessageContaining("count");
    }
}
