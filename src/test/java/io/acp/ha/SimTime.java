package io.acp.ha;

import io.microraft.executor.RaftNodeExecutor;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;

/**
 * Virtual time for the ownership simulation: one queue of tasks ordered by (time, sequence), run on
 * the test's thread. Each node gets an executor; a paused node's tasks wait until it resumes, as a
 * stopped process's would (its Raft state survives, as with a durable store).
 */
final class SimTime {

    private record Task(long at, long seq, String node, Runnable run) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final java.util.Map<String, List<Runnable>> parked = new java.util.HashMap<>();
    private long now;
    private long seq;

    long now() {
        return now;
    }

    Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now);
            }

            @Override
            public long millis() {
                return now;
            }
        };
    }

    void at(long delayMillis, String node, Runnable run) {
        queue.add(new Task(now + Math.max(0, delayMillis), seq++, node, run));
    }

    RaftNodeExecutor executor(String node) {
        return new RaftNodeExecutor() {
            @Override
            public void execute(Runnable task) {
                at(0, node, task);
            }

            @Override
            public void submit(Runnable task) {
                at(0, node, task);
            }

            @Override
            public void schedule(Runnable task, long delay, TimeUnit unit) {
                at(unit.toMillis(delay), node, task);
            }
        };
    }

    void pause(String node) {
        parked.putIfAbsent(node, new ArrayList<>());
    }

    void resume(String node) {
        List<Runnable> tasks = parked.remove(node);
        if (tasks != null) {
            tasks.forEach(t -> at(0, node, t));
        }
    }

    boolean paused(String node) {
        return parked.containsKey(node);
    }

    /** Runs every task due until {@code until}, calling {@code afterEach} after each one. */
    void runUntil(long until, Runnable afterEach) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Task t = queue.poll();
            now = t.at;
            List<Runnable> p = parked.get(t.node);
            if (p != null) {
                p.add(t.run);
                continue;
            }
            t.run.run();
            afterEach.run();
        }
        now = until;
    }
}
