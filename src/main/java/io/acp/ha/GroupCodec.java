package io.acp.ha;

import io.microraft.RaftEndpoint;
import io.microraft.model.RaftModelFactory;
import io.microraft.model.impl.DefaultRaftModelFactory;
import io.microraft.model.log.LogEntry;
import io.microraft.model.log.RaftGroupMembersView;
import io.microraft.model.log.SnapshotChunk;
import io.microraft.model.message.AppendEntriesFailureResponse;
import io.microraft.model.message.AppendEntriesRequest;
import io.microraft.model.message.AppendEntriesSuccessResponse;
import io.microraft.model.message.InstallSnapshotRequest;
import io.microraft.model.message.InstallSnapshotResponse;
import io.microraft.model.message.PreVoteRequest;
import io.microraft.model.message.PreVoteResponse;
import io.microraft.model.message.RaftMessage;
import io.microraft.model.message.TriggerLeaderElectionRequest;
import io.microraft.model.message.VoteRequest;
import io.microraft.model.message.VoteResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ownership group's wire format: every MicroRaft message, the forwarded proposals, and the
 * lease operations, results and snapshots they carry, written field by field (no reflection, no
 * Java serialization). A frame that does not parse is a {@link BadFrame} naming what was wrong.
 */
final class GroupCodec {

    /** Largest frame either side accepts (a snapshot of the lease table is far smaller). */
    static final int MAX_FRAME = 4 * 1024 * 1024;
    private static final int MAX_COUNT = 100_000;
    private static final RaftModelFactory MODEL = new DefaultRaftModelFactory();

    /** A frame that is not a message of the ownership group. */
    static final class BadFrame extends RuntimeException {
        BadFrame(String message) {
            super(message);
        }
    }

    private GroupCodec() {
    }

    static byte[] encode(Object message) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (message instanceof RaftMessage m) {
                raftMessage(out, m);
            } else if (message instanceof GroupMessage.Forward f) {
                out.writeByte(20);
                out.writeLong(f.id());
                out.writeUTF(f.from());
                operation(out, f.op());
            } else if (message instanceof GroupMessage.Reply r) {
                out.writeByte(21);
                out.writeLong(r.id());
                out.writeUTF(r.from());
                out.writeLong(r.commitIndex());
                result(out, r.result());
                nullableText(out, r.error());
            } else {
                throw new IllegalArgumentException("not a message of the ownership group: " + message);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Object decode(byte[] frame) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(frame))) {
            int type = in.readUnsignedByte();
            Object out = switch (type) {
                case 20 -> new GroupMessage.Forward(in.readLong(), in.readUTF(), (LeaseOp) operation(in));
                case 21 -> new GroupMessage.Reply(in.readLong(), in.readUTF(), in.readLong(), result(in), nullableText(in));
                default -> raftMessage(in, type);
            };
            if (in.available() > 0) {
                throw new BadFrame("ownership frame of type " + type + " has " + in.available() + " bytes after its end");
            }
            return out;
        } catch (IOException | ClassCastException | IllegalArgumentException e) {
            throw new BadFrame("ownership frame does not parse: " + e);
        }
    }

    private static void raftMessage(DataOutputStream out, RaftMessage m) throws IOException {
        int type = m instanceof AppendEntriesRequest ? 1 : m instanceof AppendEntriesSuccessResponse ? 2
                : m instanceof AppendEntriesFailureResponse ? 3 : m instanceof InstallSnapshotRequest ? 4
                : m instanceof InstallSnapshotResponse ? 5 : m instanceof PreVoteRequest ? 6 : m instanceof PreVoteResponse ? 7
                : m instanceof VoteRequest ? 8 : m instanceof VoteResponse ? 9 : m instanceof TriggerLeaderElectionRequest ? 10 : 0;
        if (type == 0) {
            throw new IllegalArgumentException("unknown Raft message " + m.getClass().getName());
        }
        out.writeByte(type);
        out.writeUTF(String.valueOf(m.getGroupId()));
        endpoint(out, m.getSender());
        out.writeInt(m.getTerm());
        if (m instanceof AppendEntriesRequest r) {
            out.writeInt(r.getPreviousLogTerm());
            out.writeLong(r.getPreviousLogIndex());
            out.writeLong(r.getCommitIndex());
            out.writeInt(r.getLogEntries().size());
            for (LogEntry e : r.getLogEntries()) {
                out.writeLong(e.getIndex());
                out.writeInt(e.getTerm());
                operation(out, e.getOperation());
            }
            out.writeLong(r.getQuerySequenceNumber());
            out.writeLong(r.getFlowControlSequenceNumber());
        } else if (m instanceof AppendEntriesSuccessResponse r) {
            out.writeLong(r.getLastLogIndex());
            out.writeLong(r.getQuerySequenceNumber());
            out.writeLong(r.getFlowControlSequenceNumber());
        } else if (m instanceof AppendEntriesFailureResponse r) {
            out.writeLong(r.getExpectedNextIndex());
            out.writeLong(r.getQuerySequenceNumber());
            out.writeLong(r.getFlowControlSequenceNumber());
        } else if (m instanceof InstallSnapshotRequest r) {
            out.writeBoolean(r.isSenderLeader());
            out.writeInt(r.getSnapshotTerm());
            out.writeLong(r.getSnapshotIndex());
            out.writeInt(r.getTotalSnapshotChunkCount());
            SnapshotChunk c = r.getSnapshotChunk();
            out.writeBoolean(c != null);
            if (c != null) {
                out.writeLong(c.getIndex());
                out.writeInt(c.getTerm());
                operation(out, c.getOperation());
                out.writeInt(c.getSnapshotChunkIndex());
                out.writeInt(c.getSnapshotChunkCount());
                view(out, c.getGroupMembersView());
            }
            endpoints(out, r.getSnapshottedMembers());
            view(out, r.getGroupMembersView());
            out.writeLong(r.getQuerySequenceNumber());
            out.writeLong(r.getFlowControlSequenceNumber());
        } else if (m instanceof InstallSnapshotResponse r) {
            out.writeLong(r.getSnapshotIndex());
            out.writeInt(r.getRequestedSnapshotChunkIndex());
            out.writeLong(r.getQuerySequenceNumber());
            out.writeLong(r.getFlowControlSequenceNumber());
        } else if (m instanceof PreVoteRequest r) {
            out.writeInt(r.getLastLogTerm());
            out.writeLong(r.getLastLogIndex());
        } else if (m instanceof PreVoteResponse r) {
            out.writeBoolean(r.isGranted());
        } else if (m instanceof VoteRequest r) {
            out.writeInt(r.getLastLogTerm());
            out.writeLong(r.getLastLogIndex());
            out.writeBoolean(r.isSticky());
        } else if (m instanceof VoteResponse r) {
            out.writeBoolean(r.isGranted());
        } else if (m instanceof TriggerLeaderElectionRequest r) {
            out.writeInt(r.getLastLogTerm());
            out.writeLong(r.getLastLogIndex());
        }
    }

    private static RaftMessage raftMessage(DataInputStream in, int type) throws IOException {
        String group = in.readUTF();
        Member sender = endpoint(in);
        int term = in.readInt();
        return switch (type) {
            case 1 -> {
                int prevTerm = in.readInt();
                long prevIndex = in.readLong();
                long commit = in.readLong();
                int n = count(in);
                List<LogEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(MODEL.createLogEntryBuilder().setIndex(in.readLong()).setTerm(in.readInt()).setOperation(operation(in)).build());
                }
                yield MODEL.createAppendEntriesRequestBuilder().setGroupId(group).setSender(sender).setTerm(term)
                        .setPreviousLogTerm(prevTerm).setPreviousLogIndex(prevIndex).setCommitIndex(commit).setLogEntries(entries)
                        .setQuerySequenceNumber(in.readLong()).setFlowControlSequenceNumber(in.readLong()).build();
            }
            case 2 -> MODEL.createAppendEntriesSuccessResponseBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setLastLogIndex(in.readLong()).setQuerySequenceNumber(in.readLong()).setFlowControlSequenceNumber(in.readLong()).build();
            case 3 -> MODEL.createAppendEntriesFailureResponseBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setExpectedNextIndex(in.readLong()).setQuerySequenceNumber(in.readLong()).setFlowControlSequenceNumber(in.readLong()).build();
            case 4 -> installSnapshot(in, group, sender, term);
            case 5 -> MODEL.createInstallSnapshotResponseBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setSnapshotIndex(in.readLong()).setRequestedSnapshotChunkIndex(in.readInt())
                    .setQuerySequenceNumber(in.readLong()).setFlowControlSequenceNumber(in.readLong()).build();
            case 6 -> MODEL.createPreVoteRequestBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setLastLogTerm(in.readInt()).setLastLogIndex(in.readLong()).build();
            case 7 -> MODEL.createPreVoteResponseBuilder().setGroupId(group).setSender(sender).setTerm(term).setGranted(in.readBoolean()).build();
            case 8 -> MODEL.createVoteRequestBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setLastLogTerm(in.readInt()).setLastLogIndex(in.readLong()).setSticky(in.readBoolean()).build();
            case 9 -> MODEL.createVoteResponseBuilder().setGroupId(group).setSender(sender).setTerm(term).setGranted(in.readBoolean()).build();
            case 10 -> MODEL.createTriggerLeaderElectionRequestBuilder().setGroupId(group).setSender(sender).setTerm(term)
                    .setLastLogTerm(in.readInt()).setLastLogIndex(in.readLong()).build();
            default -> throw new BadFrame("unknown ownership message type " + type);
        };
    }

    private static InstallSnapshotRequest installSnapshot(DataInputStream in, String group, Member sender, int term) throws IOException {
        boolean senderLeader = in.readBoolean();
        int snapshotTerm = in.readInt();
        long snapshotIndex = in.readLong();
        int total = in.readInt();
        SnapshotChunk chunk = null;
        if (in.readBoolean()) {
            chunk = MODEL.createSnapshotChunkBuilder().setIndex(in.readLong()).setTerm(in.readInt()).setOperation(operation(in))
                    .setSnapshotChunkIndex(in.readInt()).setSnapshotChunkCount(in.readInt()).setGroupMembersView(view(in)).build();
        }
        Collection<RaftEndpoint> snapshotted = endpoints(in);
        RaftGroupMembersView view = view(in);
        return MODEL.createInstallSnapshotRequestBuilder().setGroupId(group).setSender(sender).setTerm(term)
                .setSenderLeader(senderLeader).setSnapshotTerm(snapshotTerm).setSnapshotIndex(snapshotIndex)
                .setTotalSnapshotChunkCount(total).setSnapshotChunk(chunk).setSnapshottedMembers(snapshotted)
                .setGroupMembersView(view).setQuerySequenceNumber(in.readLong()).setFlowControlSequenceNumber(in.readLong()).build();
    }

    static void operation(DataOutputStream out, Object op) throws IOException {
        if (op instanceof LeaseOp.Renew r) {
            out.writeByte(1);
            out.writeUTF(r.node());
            out.writeLong(r.now());
            out.writeLong(r.durationMillis());
        } else if (op instanceof LeaseOp.Take t) {
            out.writeByte(2);
            out.writeUTF(t.system());
            out.writeUTF(t.node());
            out.writeLong(t.now());
        } else if (op instanceof LeaseOp.Hand h) {
            out.writeByte(3);
            out.writeUTF(h.system());
            out.writeUTF(h.from());
            out.writeUTF(h.to());
            out.writeLong(h.now());
        } else if (op instanceof LeaseOp.Release r) {
            out.writeByte(4);
            out.writeUTF(r.system());
            out.writeUTF(r.node());
            out.writeLong(r.now());
        } else if (op instanceof LeaseOp.NewTerm) {
            out.writeByte(5);
        } else if (op instanceof LeaseTable.LeaseSnapshot s) {
            out.writeByte(6);
            out.writeLong(s.clock());
            out.writeInt(s.leases().size());
            for (Map.Entry<String, Long> e : s.leases().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeLong(e.getValue());
            }
            out.writeInt(s.owners().size());
            for (Map.Entry<String, String> e : s.owners().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } else {
            // Membership changes (UpdateRaftGroupMembersOp) are not used: members come from configuration.
            throw new IllegalArgumentException("operation not carried by the ownership group: " + op);
        }
    }

    static Object operation(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 1 -> new LeaseOp.Renew(in.readUTF(), in.readLong(), in.readLong());
            case 2 -> new LeaseOp.Take(in.readUTF(), in.readUTF(), in.readLong());
            case 3 -> new LeaseOp.Hand(in.readUTF(), in.readUTF(), in.readUTF(), in.readLong());
            case 4 -> new LeaseOp.Release(in.readUTF(), in.readUTF(), in.readLong());
            case 5 -> new LeaseOp.NewTerm();
            case 6 -> {
                long clock = in.readLong();
                int n = count(in);
                Map<String, Long> leases = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    leases.put(in.readUTF(), in.readLong());
                }
                int m = count(in);
                Map<String, String> owners = new HashMap<>();
                for (int i = 0; i < m; i++) {
                    owners.put(in.readUTF(), in.readUTF());
                }
                yield new LeaseTable.LeaseSnapshot(clock, Map.copyOf(leases), Map.copyOf(owners));
            }
            default -> throw new BadFrame("unknown lease operation tag " + tag);
        };
    }

    private static void result(DataOutputStream out, LeaseResult r) throws IOException {
        if (r == null) {
            out.writeByte(0);
        } else if (r instanceof LeaseResult.Granted g) {
            out.writeByte(1);
            out.writeUTF(g.node());
            out.writeLong(g.expiresAt());
            out.writeInt(g.owned().size());
            for (String s : g.owned()) {
                out.writeUTF(s);
            }
        } else if (r instanceof LeaseResult.Owner o) {
            out.writeByte(2);
            out.writeUTF(o.system());
            out.writeUTF(o.node());
        } else if (r instanceof LeaseResult.Refused f) {
            out.writeByte(3);
            out.writeUTF(f.system());
            out.writeUTF(f.reason());
        } else {
            out.writeByte(4);
        }
    }

    private static LeaseResult result(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        return switch (tag) {
            case 0 -> null;
            case 1 -> {
                String node = in.readUTF();
                long expires = in.readLong();
                int n = count(in);
                List<String> owned = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    owned.add(in.readUTF());
                }
                yield new LeaseResult.Granted(node, expires, List.copyOf(owned));
            }
            case 2 -> new LeaseResult.Owner(in.readUTF(), in.readUTF());
            case 3 -> new LeaseResult.Refused(in.readUTF(), in.readUTF());
            case 4 -> new LeaseResult.Done();
            default -> throw new BadFrame("unknown lease result tag " + tag);
        };
    }

    static void view(DataOutputStream out, RaftGroupMembersView v) throws IOException {
        out.writeBoolean(v != null);
        if (v != null) {
            out.writeLong(v.getLogIndex());
            endpoints(out, v.getMembers());
            endpoints(out, v.getVotingMembers());
        }
    }

    static RaftGroupMembersView view(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        return MODEL.createRaftGroupMembersViewBuilder().setLogIndex(in.readLong()).setMembers(endpoints(in)).setVotingMembers(endpoints(in)).build();
    }

    private static void endpoints(DataOutputStream out, Collection<RaftEndpoint> endpoints) throws IOException {
        out.writeInt(endpoints == null ? 0 : endpoints.size());
        if (endpoints != null) {
            for (RaftEndpoint e : endpoints) {
                endpoint(out, e);
            }
        }
    }

    private static Collection<RaftEndpoint> endpoints(DataInputStream in) throws IOException {
        int n = count(in);
        List<RaftEndpoint> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(endpoint(in));
        }
        return out;
    }

    private static void endpoint(DataOutputStream out, RaftEndpoint e) throws IOException {
        out.writeUTF(String.valueOf(e.getId()));
    }

    private static Member endpoint(DataInputStream in) throws IOException {
        return new Member(in.readUTF());
    }

    private static void nullableText(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String nullableText(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new BadFrame("ownership frame has a count of " + n + " (at most " + MAX_COUNT + ")");
        }
        return n;
    }
}
