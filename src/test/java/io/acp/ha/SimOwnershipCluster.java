package io.acp.ha;

import io.microraft.RaftConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ownership logic of every member, real MicroRaft and {@link LeaseTable} included, in virtual
 * time over a seeded network that drops, delays and partitions messages. Witnesses vote but run no
 * systems. Invariants are checked by {@link #check} after every task.
 */
final class SimOwnershipCluster {

    static final long LEASE_MS = 3_000;
    static final long RENEW_MS = 1_000;
    static final long TICK_MS = 200;
    static final long MAX_STOP_MS = 500;
    /** Fencing bound (a tick plus the slowest destroy) plus a margin. */
    static final long TAKEOVER_DELAY_MS = TICK_MS + MAX_STOP_MS + 300;

    final SimTime time = new SimTime();
    final Random random;
    final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Set<String> down = new HashSet<>();
    private final Map<String, Integer> side = new java.util.HashMap<>();
    /** Links cut in both directions, as "a|b" with a < b: partitions that are not a clean split. */
    private final Set<String> cutLinks = new HashSet<>();
    private int lossPercent;
    long checks;
    /** Whether members work around MicroRaft's stalled election, as OwnershipMember does (off: to show the stall). */
    boolean restartStalledElections = true;
    long fences;
    long failovers;
    long migrations;
    /** How long a target protects an arrived copy whose lease its holder may learn a renewal later (real: 2 min). */
    static final long ARRIVAL_PROTECTION_MS = 2 * RENEW_MS;

    final class Node {
        final String id;
        final boolean witness;
        final LeaseTable table = new LeaseTable(TAKEOVER_DELAY_MS);
        final OwnershipGroup group;
        final SimVms vms;
        final LeaseHolder holder;
        final OwnershipAgent agent;
        final Failover failover;

        Node(String id, boolean witness, List<Member> members) {
            this.id = id;
            this.witness = witness;
            RaftConfig config = RaftConfig.newBuilder()
                    .setLeaderElectionTimeoutMillis(1000)
                    .setLeaderHeartbeatPeriodSecs(1)
                    .setLeaderHeartbeatTimeoutSecs(3)
                    .setCommitCountToTakeSnapshot(50)
                    .build();
            group = new OwnershipGroup(new Member(id), members, table, new Net(id), time.executor(id), time.clock(),
                    new Random(random.nextLong()), config, 2_000);
            vms = new SimVms(id, time, new Random(random.nextLong()), MAX_STOP_MS);
            holder = new LeaseHolder(id);
            HaSystems systems = witness ? new NoSystems() : vms;
            agent = new OwnershipAgent(group, holder, new Fencing(holder, systems), time::now, LEASE_MS, RENEW_MS);
            failover = new Failover(group, table, this::choose, time::now, TAKEOVER_DELAY_MS);
        }

        private Optional<String> choose(String system, String failed, Set<String> live) {
            List<String> candidates = new ArrayList<>();
            for (String n : live) {
                if (!n.equals(failed) && !nodes.get(n).witness) {
                    candidates.add(n);
                }
            }
            return candidates.isEmpty() ? Optional.empty() : Optional.of(candidates.get(Math.floorMod(system.hashCode(), candidates.size())));
        }

        void loop() {
            if (restartStalledElections) {
                group.restartStalledElection(); // as OwnershipMember's loop
            }
            if (agent.tick().leaseLost()) {
                fences++;
            }
            failovers += failover.tick().asked().size();
            time.at(TICK_MS, id, this::loop);
        }
    }

    private static final class NoSystems implements HaSystems {
        @Override
        public Set<String> running() {
            return Set.of();
        }

        @Override
        public void start(String system) {
            throw new IllegalStateException("a witness runs no systems, asked to start " + system);
        }

        @Override
        public void stop(String system) {
        }
    }

    private final class Net implements GroupTransport {
        private final String from;

        Net(String from) {
            this.from = from;
        }

        @Override
        public void send(Member to, Object message) {
            if (!reachable(to) || random.nextInt(100) < lossPercent) {
                return;
            }
            time.at(1 + random.nextInt(20), to.id(), () -> {
                if (connected(from, to.id())) {
                    nodes.get(to.id()).group.receive(message);
                }
            });
        }

        @Override
        public boolean reachable(Member to) {
            return connected(from, to.id());
        }
    }

    SimOwnershipCluster(long seed, List<String> voters, List<String> witnesses, List<String> systems) {
        random = new Random(seed);
        List<Member> members = new ArrayList<>();
        voters.forEach(v -> members.add(new Member(v)));
        witnesses.forEach(w -> members.add(new Member(w)));
        for (Member m : members) {
            nodes.put(m.id(), new Node(m.id(), witnesses.contains(m.id()), members));
        }
        for (Node n : nodes.values()) {
            n.group.start();
            time.at(random.nextInt((int) TICK_MS), n.id, n::loop);
        }
        // Each system's first owner: proposed (and retried) by its home node until it holds it.
        for (int i = 0; i < systems.size(); i++) {
            String system = systems.get(i);
            Node home = nodes.get(voters.get(i % voters.size()));
            claim(home, system);
        }
    }

    private void claim(Node home, String system) {
        time.at(500, home.id, () -> home.group.propose(new LeaseOp.Take(system, home.id, time.now()))
                .whenComplete((c, e) -> {
                    if (e != null || !(c.result() instanceof LeaseResult.Owner)) {
                        if (!home.table.owners().containsKey(system)) {
                            claim(home, system);
                        }
                    } else {
                        home.holder.took(system, c.commitIndex());
                    }
                }));
    }

    /**
     * A live migration of {@code system} from {@code from} (which must run it) to {@code to}, as
     * io.acp.hypervisor.Migrations does it: both nodes hold the system (their migration records),
     * the source hands its lease over (LeaseOp.Hand), libvirt moves the copy in one instant, the
     * source's record ends, and the target's arrival stays protected a while longer. A refused
     * hand-over, or a node that crashed, ends it where it stands. Returns false if it did not begin.
     */
    boolean migrate(String system, String from, String to) {
        Node src = nodes.get(from);
        Node dst = nodes.get(to);
        if (src.witness || dst.witness || from.equals(to) || down.contains(from) || down.contains(to)
                || !src.vms.running().contains(system) || !src.holder.owned().contains(system)) {
            return false;
        }
        src.vms.hold(system);
        dst.vms.hold(system);
        src.holder.handingAway(system);
        src.group.propose(new LeaseOp.Hand(system, from, to, time.now())).whenComplete((c, e) -> {
            if (e != null || !(c.result() instanceof LeaseResult.Owner)) {
                if (e != null) {
                    src.holder.handOverUnknown(system, time.now());
                } else {
                    src.holder.handOverRefused(system, c.commitIndex());
                }
                src.vms.unhold(system);
                dst.vms.unhold(system);
                return;
            }
            src.holder.handedAway(system, c.commitIndex());
            migrations++;
            time.at(50 + random.nextInt(500), "vmm-" + from, () -> {
                if (!down.contains(to) && !down.contains(from) && src.vms.moveOut(system)) {
                    dst.vms.moveIn(system);
                }
                src.vms.unhold(system);
                time.at(ARRIVAL_PROTECTION_MS, to, () -> dst.vms.unhold(system));
            });
        });
        return true;
    }

    boolean connected(String a, String b) {
        return !down.contains(a) && !down.contains(b) && side.getOrDefault(a, 0).equals(side.getOrDefault(b, 0))
                && !cutLinks.contains(link(a, b));
    }

    private static String link(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    /** Cuts the link between two nodes only: each still reaches the others. */
    void cutLink(String a, String b) {
        if (!a.equals(b)) {
            cutLinks.add(link(a, b));
        }
    }

    void isolate(String node) {
        side.put(node, 1 + random.nextInt(1000));
    }

    void heal() {
        side.clear();
        cutLinks.clear();
    }

    void setLoss(int percent) {
        lossPercent = percent;
    }

    /** The machine dies: its VMs with it, and the process's in-memory lease; Raft state survives (durable store). */
    void crash(String node) {
        Node n = nodes.get(node);
        down.add(node);
        time.pause(node);
        n.vms.crash();
        n.holder.reset();
    }

    void restart(String node) {
        down.remove(node);
        time.resume(node);
    }

    boolean isDown(String node) {
        return down.contains(node);
    }

    /** At most one node believes it owns each system, and at most one copy of each exists. */
    void check() {
        checks++;
        Map<String, String> owner = new java.util.HashMap<>();
        Map<String, String> copy = new java.util.HashMap<>();
        for (Node n : nodes.values()) {
            if (!down.contains(n.id) && n.holder.live(time.now())) {
                for (String s : n.holder.owned()) {
                    String other = owner.put(s, n.id);
                    if (other != null) {
                        throw new AssertionError("at " + time.now() + " ms both " + other + " and " + n.id + " believe they own " + s + describe());
                    }
                }
            }
            for (String s : n.vms.copies()) {
                String other = copy.put(s, n.id);
                if (other != null) {
                    throw new AssertionError("at " + time.now() + " ms " + s + " runs on both " + other + " and " + n.id + describe());
                }
            }
        }
    }

    /** System → nodes with a copy. */
    Map<String, Set<String>> copies() {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (Node n : nodes.values()) {
            for (String s : n.vms.copies()) {
                out.computeIfAbsent(s, k -> new TreeSet<>()).add(n.id);
            }
        }
        return out;
    }

    String describe() {
        StringBuilder b = new StringBuilder();
        for (Node n : nodes.values()) {
            b.append("\n  ").append(n.id).append(down.contains(n.id) ? " DOWN" : "").append(" side=").append(side.getOrDefault(n.id, 0))
                    .append(" leader=").append(n.group.leader()).append(" deadline=").append(n.holder.deadline())
                    .append(" owned=").append(n.holder.owned()).append(" copies=").append(n.vms.copies())
                    .append(" table=").append(n.table.owners()).append(" leases=").append(n.table.leases());
        }
        return b.toString();
    }
}
