package io.acp.ha;

import io.acp.security.PkiFiles;
import io.microraft.RaftConfig;
import io.microraft.executor.impl.DefaultRaftNodeExecutor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One node's part in HA ownership, wired for real: the lease table replicated by MicroRaft over
 * {@link TlsGroupTransport}, on MicroRaft's single-threaded executor, with the ownership loop
 * ({@link OwnershipAgent}: renew, fence) and the leader's {@link Failover} ticking on that same
 * thread. A witness member passes {@link HaSystems} that run nothing.
 */
final class OwnershipMember {

    private static final Logger LOG = Logger.getLogger(OwnershipMember.class);

    /** What the HA manager wants to hear about, called on the ownership thread (must not block). */
    interface Listener {
        default void passed(Fencing.Pass pass) {
        }

        default void moved(Failover.Moves moves) {
        }

        /** After every pass: this node's lease ends {@code remainingMillis} from now (0: it holds none). */
        default void lease(long remainingMillis) {
        }
    }

    private final Member self;
    private final OwnershipTimes times;
    private final LeaseTable table;
    private final DefaultRaftNodeExecutor executor = new DefaultRaftNodeExecutor();
    private final TlsGroupTransport transport;
    private final OwnershipGroup group;
    private final OwnershipAgent agent;
    private final Failover failover;
    private final Listener listener;
    private final SocketAddress listen;
    private volatile boolean stopped;
    private final FileRaftStore store;

    /**
     * @param members every voting member (this one included) → its ownership address
     */
    OwnershipMember(Vertx vertx, String self, Map<String, SocketAddress> members, SocketAddress listen, PkiFiles pki,
                    OwnershipTimes times, RaftConfig raft, HaSystems systems, Failover.Target target, Listener listener) {
        this(vertx, self, members, listen, pki, times, raft, systems, target, listener, null);
    }

    /** As above; with a {@code store} the member's Raft log survives a restart ({@link FileRaftStore}). */
    OwnershipMember(Vertx vertx, String self, Map<String, SocketAddress> members, SocketAddress listen, PkiFiles pki,
                    OwnershipTimes times, RaftConfig raft, HaSystems systems, Failover.Target target, Listener listener, FileRaftStore store) {
        this.self = new Member(self);
        this.times = times;
        this.listen = listen;
        this.listener = listener;
        this.table = new LeaseTable(times.takeoverDelayMillis());
        List<Member> all = new ArrayList<>();
        members.keySet().forEach(id -> all.add(new Member(id)));
        Map<String, SocketAddress> peers = new java.util.HashMap<>(members);
        peers.remove(self);
        AtomicReference<OwnershipGroup> ref = new AtomicReference<>();
        this.transport = new TlsGroupTransport(vertx, this.self, peers, pki, (from, message) -> ref.get().receive(message));
        this.group = new OwnershipGroup(this.self, all, table, transport, executor, Clock.systemUTC(), new SecureRandom(), raft,
                times.proposeMillis(), store);
        this.store = store;
        ref.set(group);
        LeaseHolder holder = new LeaseHolder(self);
        this.agent = new OwnershipAgent(group, holder, new Fencing(holder, systems), System::currentTimeMillis, times.leaseMillis(),
                times.renewMillis());
        this.failover = new Failover(group, table, target, System::currentTimeMillis, times.takeoverDelayMillis());
    }

    /** Listens, starts the Raft member and the ownership loop; completes with the bound port. */
    Future<Integer> start() {
        return transport.listen(listen)
                .onSuccess(port -> {
                    group.start();
                    executor.schedule(this::loop, times.tickMillis(), TimeUnit.MILLISECONDS);
                });
    }

    private void loop() {
        if (stopped) {
            return;
        }
        try {
            group.restartStalledElection();
            Fencing.Pass pass = agent.tick();
            if (pass.leaseLost()) {
                LOG.warnf("node %s lost its HA lease (deadline passed without a committed renewal): stopping its HA systems %s",
                        self.id(), pass.stopped());
            }
            listener.passed(pass);
            long now = System.currentTimeMillis();
            LeaseHolder holder = agent.holder();
            listener.lease(holder.live(now) ? holder.deadline() - now : 0);
            Failover.Moves moves = failover.tick();
            if (!moves.asked().isEmpty() || !moves.homeless().isEmpty()) {
                listener.moved(moves);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "node %s: HA ownership pass failed", self.id());
        } finally {
            executor.schedule(this::loop, times.tickMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Makes {@code node} the owner of {@code system} (its first owner, or a planned move); see {@link LeaseTable}. */
    java.util.concurrent.CompletableFuture<Committed> take(String system, String node) {
        return group.propose(new LeaseOp.Take(system, node, System.currentTimeMillis()))
                .thenApply(c -> {
                    if (node.equals(self.id()) && c.result() instanceof LeaseResult.Owner) {
                        executor.execute(() -> agent.holder().took(system, c.commitIndex()));
                    }
                    return c;
                });
    }

    /**
     * Hands {@code system} from {@code from} to {@code to} (a migration, LeaseOp.Hand); this member's
     * holder drops it as soon as the hand-over committed, or takes it if it is the receiver.
     * Completes exceptionally with the table's reason when refused.
     */
    java.util.concurrent.CompletableFuture<Committed> hand(String system, String from, String to) {
        boolean giving = from.equals(self.id());
        java.util.concurrent.CompletableFuture<Void> dropped = new java.util.concurrent.CompletableFuture<>();
        executor.execute(() -> {
            if (giving) {
                agent.holder().handingAway(system);
            }
            dropped.complete(null);
        });
        return dropped.thenCompose(x -> group.propose(new LeaseOp.Hand(system, from, to, System.currentTimeMillis())))
                .whenComplete((c, e) -> executor.execute(() -> settle(system, from, to, c, e)))
                .thenApply(c -> {
                    if (c.result() instanceof LeaseResult.Refused r) {
                        throw new IllegalStateException(r.reason());
                    }
                    return c;
                });
    }

    /** What this member's holder learns from a hand-over's outcome (on the ownership thread). */
    private void settle(String system, String from, String to, Committed c, Throwable e) {
        LeaseHolder holder = agent.holder();
        if (e != null) {
            if (from.equals(self.id())) {
                holder.handOverUnknown(system, System.currentTimeMillis());
            }
        } else if (c.result() instanceof LeaseResult.Refused) {
            if (from.equals(self.id())) {
                holder.handOverRefused(system, c.commitIndex());
            }
        } else if (from.equals(self.id())) {
            holder.handedAway(system, c.commitIndex());
        } else if (to.equals(self.id())) {
            holder.took(system, c.commitIndex());
        }
    }

    /** {@code node} gives up {@code system} (no longer HA, or deleted). */
    java.util.concurrent.CompletableFuture<Committed> release(String system, String node) {
        return group.propose(new LeaseOp.Release(system, node, System.currentTimeMillis()));
    }

    /** The owners as this member has applied them. */
    Map<String, String> owners() {
        return table.owners();
    }

    /** Lease expiries as this member has applied them. */
    Map<String, Long> leases() {
        return table.leases();
    }

    /** This member's node id. */
    String self() {
        return self.id();
    }

    Member leader() {
        return group.leader();
    }

    Future<Void> stop() {
        stopped = true;
        CompletableFuture<?> terminated = group.terminate();
        if (store != null) {
            // Closed once the Raft node has terminated, after which it writes nothing: not a task queued on
            // its thread, whose executor MicroRaft shuts down as the terminate ends and which then refuses
            // it (a stop racing the terminate failed so, with the store left open).
            terminated.whenComplete((ok, failure) -> {
                try {
                    store.close();
                } catch (java.io.IOException e) {
                    LOG.warnf("node %s: closing the ownership group's Raft store: %s", self.id(), e.getMessage());
                }
            });
        }
        return transport.close();
    }
}
