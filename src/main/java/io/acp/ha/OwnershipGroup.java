package io.acp.ha;

import io.microraft.Ordered;
import io.microraft.RaftConfig;
import io.microraft.RaftEndpoint;
import io.microraft.RaftNode;
import io.microraft.RaftNodeStatus;
import io.microraft.RaftRole;
import io.microraft.executor.RaftNodeExecutor;
import io.microraft.impl.RaftNodeImpl;
import io.microraft.impl.state.RaftState;
import io.microraft.model.message.RaftMessage;
import io.microraft.transport.Transport;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This member of the ownership group: a MicroRaft node replicating the {@link LeaseTable}, plus the
 * forwarding of proposals to the leader. Everything runs on the Raft executor (one thread, or the
 * simulation's virtual time), so the pending map needs no lock.
 */
final class OwnershipGroup {

    static final String GROUP_ID = "acp-ha";
    private static final Logger LOG = Logger.getLogger(OwnershipGroup.class);

    private final Member self;
    private final GroupTransport transport;
    private final RaftNodeExecutor executor;
    private final long proposeTimeoutMillis;
    private final RaftNode raft;
    private final Map<Long, CompletableFuture<Committed>> pending = new HashMap<>();
    private long nextId;

    OwnershipGroup(Member self, List<Member> members, LeaseTable table, GroupTransport transport, RaftNodeExecutor executor,
                   Clock clock, Random random, RaftConfig config, long proposeTimeoutMillis) {
        this(self, members, table, transport, executor, clock, random, config, proposeTimeoutMillis, null);
    }

    /**
     * As above; with a {@code store}, this member's Raft state is kept on disk and a member that
     * persisted before restarts from it (its log, term and vote) instead of an empty log.
     */
    OwnershipGroup(Member self, List<Member> members, LeaseTable table, GroupTransport transport, RaftNodeExecutor executor,
                   Clock clock, Random random, RaftConfig config, long proposeTimeoutMillis, FileRaftStore store) {
        if (members.size() % 2 == 0) {
            throw new IllegalArgumentException("the ownership group needs an odd number of voting members (add a witness), got " + members);
        }
        if (!members.contains(self)) {
            throw new IllegalArgumentException("node " + self.id() + " is not one of the ownership group's members " + members);
        }
        this.self = self;
        this.transport = transport;
        this.executor = executor;
        this.proposeTimeoutMillis = proposeTimeoutMillis;
        RaftNode.RaftNodeBuilder builder = RaftNode.newBuilder()
                .setGroupId(GROUP_ID);
        java.util.Optional<io.microraft.persistence.RestoredRaftState> restored = store == null ? java.util.Optional.empty() : store.restored();
        if (restored.isPresent()) {
            Object persisted = restored.get().getLocalEndpointPersistentState().getLocalEndpoint().getId();
            if (!self.id().equals(persisted)) {
                throw new IllegalArgumentException("the ownership group's Raft store belongs to node " + persisted + ", not to node " + self.id());
            }
            builder.setRestoredState(restored.get());
        } else {
            builder.setLocalEndpoint(self)
                    .setInitialGroupMembers(List.copyOf(members));
        }
        if (store != null) {
            builder.setStore(store);
        }
        this.raft = builder
                .setConfig(config)
                .setTransport(new RaftTransport())
                .setStateMachine(table)
                .setExecutor(executor)
                .setClock(clock)
                .setRandom(random)
                .build();
    }

    void start() {
        raft.start();
    }

    /** Completes once the Raft node has terminated (at once if it already had); it writes nothing to its store after that. */
    CompletableFuture<Ordered<Object>> terminate() {
        return raft.terminate();
    }

    Member self() {
        return self;
    }

    /** The MicroRaft node itself, for tests that put it into a given state (on the Raft executor). */
    RaftNode raftNode() {
        return raft;
    }

    /** The leader this member knows of, or null. */
    Member leader() {
        RaftEndpoint l = raft.getTerm().getLeaderEndpoint();
        return (Member) l;
    }

    /**
     * Starts the pre-vote that MicroRaft 0.7 fails to start when a follower's leader has gone
     * silent, if this member is in that state; call it on the Raft executor, on every ownership
     * tick (it acts once per stall: the pre-vote it starts forgets the leader). Returns whether it did.
     *
     * <p>Why: a follower that granted its vote has no leader until the new leader's first append
     * arrives; if its heartbeat task runs in that window it starts a pre-vote ("no current
     * leader"), and the append then sets the leader without clearing that pre-vote's state, which
     * MicroRaft clears only on a term change. From then on, as long as the term stays the same, its
     * heartbeat task skips "the leader's heartbeats are timed out" because a pre-vote seems to be
     * running: when the leader dies, this member never stands for election. If the only other
     * survivor's log is behind (it was cut off, as a two-node cluster's node often is), that
     * survivor cannot win either, and there is no leader, no lease renewal and no failover for
     * ever. The startup makes the window likely: the first pre-vote times out after the election
     * timeout, when the first heartbeat task also runs (both 1 s, or 2 s and 1 s).
     *
     * <p>What: exactly what MicroRaft's heartbeat task does for a timed-out leader (forget it, run a
     * sticky pre-vote), without its check for a running pre-vote, which here is a stale one (a real
     * pre-vote round runs with no leader set). A pre-vote changes no term and wins only if a
     * majority has also lost the leader, so it cannot disturb a leader that the others still hear.
     */
    boolean restartStalledElection() {
        if (!(raft instanceof RaftNodeImpl node) || node.getStatus() != RaftNodeStatus.ACTIVE) {
            return false;
        }
        RaftState state = node.state();
        RaftEndpoint silent = state.leader();
        if (state.role() != RaftRole.FOLLOWER || silent == null || state.preCandidateState() == null || !node.isLeaderHeartbeatTimeoutElapsed()) {
            return false;
        }
        LOG.warnf("ownership member %s: leader %s went silent in term %d and no election started (MicroRaft kept a finished pre-vote's"
                + " state); starting a pre-vote", self.id(), silent.getId(), state.term());
        node.leader(null);
        node.runPreVote();
        return true;
    }

    /** Commits {@code op} through the leader; fails if no leader answers within the proposal timeout. */
    CompletableFuture<Committed> propose(LeaseOp op) {
        CompletableFuture<Committed> out = new CompletableFuture<>();
        executor.execute(() -> {
            Member leader = leader();
            if (self.equals(leader)) {
                replicate(op).whenComplete((c, e) -> complete(out, c, e));
            } else if (leader == null) {
                out.completeExceptionally(new IllegalStateException("node " + self.id() + " knows no ownership leader (no majority reachable)"));
            } else {
                long id = nextId++;
                pending.put(id, out);
                transport.send(leader, new GroupMessage.Forward(id, self.id(), op));
                executor.schedule(() -> {
                    CompletableFuture<Committed> p = pending.remove(id);
                    if (p != null) {
                        p.completeExceptionally(new IllegalStateException("ownership leader " + leader.id() + " did not answer node "
                                + self.id() + " within " + proposeTimeoutMillis + " ms"));
                    }
                }, proposeTimeoutMillis, TimeUnit.MILLISECONDS);
            }
        });
        return out;
    }

    /** A message from another member (already authenticated as {@code from} by the transport). */
    void receive(Object message) {
        if (message instanceof RaftMessage m) {
            raft.handle(m);
        } else if (message instanceof GroupMessage.Forward f) {
            executor.execute(() -> replicate(f.op()).whenComplete((c, e) -> transport.send(new Member(f.from()),
                    e == null ? new GroupMessage.Reply(f.id(), self.id(), c.commitIndex(), c.result(), null)
                            : new GroupMessage.Reply(f.id(), self.id(), -1, null, "node " + self.id() + ": " + e.getMessage()))));
        } else if (message instanceof GroupMessage.Reply r) {
            executor.execute(() -> {
                CompletableFuture<Committed> p = pending.remove(r.id());
                if (p != null) {
                    complete(p, r.error() == null ? new Committed(r.commitIndex(), r.result()) : null,
                            r.error() == null ? null : new IllegalStateException(r.error()));
                }
            });
        }
    }

    private CompletableFuture<Committed> replicate(LeaseOp op) {
        return raft.<Object>replicate(op)
                .thenApply(this::committed);
    }

    private Committed committed(Ordered<Object> o) {
        return new Committed(o.getCommitIndex(), (LeaseResult) o.getResult());
    }

    private static void complete(CompletableFuture<Committed> out, Committed c, Throwable e) {
        if (e != null) {
            out.completeExceptionally(e);
        } else {
            out.complete(c);
        }
    }

    private final class RaftTransport implements Transport {
        @Override
        public void send(RaftEndpoint target, RaftMessage message) {
            transport.send((Member) target, message);
        }

        @Override
        public boolean isReachable(RaftEndpoint endpoint) {
            return transport.reachable((Member) endpoint);
        }
    }
}
