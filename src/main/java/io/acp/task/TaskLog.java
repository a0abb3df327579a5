package io.acp.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Progress;
import io.acp.protocol.AcpException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * This node's side of the cluster's task log. A task is written to the CDB (object
 * {@code task/<id>}, journaled and synced, so every node lists every node's tasks and they survive
 * restarts) when it begins and when it ends, by the node that runs it. The node also keeps its most
 * recent tasks in memory, so a task is found at once even before its write is durable, and tasks it
 * routed to other nodes, until their record arrives by sync. Retention: see {@link TaskRetention};
 * pruned after every finished task and at start.
 */
public final class TaskLog {

    private static final Logger LOG = Logger.getLogger(TaskLog.class);
    /** Tasks kept in memory (running, recently finished, routed): a bound, not a retention. */
    static final int RECENT = 256;
    /** The shortest time between two CDB writes of one task's progress (at most two a second). */
    static final java.time.Duration PROGRESS_EVERY = java.time.Duration.ofMillis(500);

    private final String localNode;
    private final Supplier<Cdb> cdb;
    private final Clock clock;
    private final TaskRetention retention;
    private final java.util.concurrent.Executor pruner;
    /** True while a prune is queued or running: finishes in a burst share one. */
    private final java.util.concurrent.atomic.AtomicBoolean pruning = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong sequence = new AtomicLong();
    /** When each running task's progress was last written to the CDB (epoch ms): the rate bound. */
    private final Map<String, Long> progressStored = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Task> recent = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Task> eldest) {
            return size() > RECENT && eldest.getValue().state().finished();
        }
    };

    /**
     * @param pruner where the prune after a finished task runs (it reads every task, so not on the
     *               caller's thread, which may be an event loop)
     */
    public TaskLog(String localNode, Supplier<Cdb> cdb, Clock clock, TaskRetention retention, java.util.concurrent.Executor pruner) {
        this.pruner = pruner;
        this.localNode = localNode;
        this.cdb = cdb;
        this.clock = clock;
        this.retention = retention;
    }

    public String localNode() {
        return localNode;
    }

    public Instant now() {
        return clock.instant();
    }

    /** A new task id, unique in the cluster: this node's id, the time, a sequence. */
    public String newId() {
        return localNode + ":" + clock.millis() + ":" + sequence.incrementAndGet();
    }

    /** Records that {@code task} began here. */
    public void begin(Task task) {
        remember(task);
        store(task);
    }

    /** Records how {@code task} ended here, then prunes this node's old tasks (on the pruner). */
    public void finish(Task task) {
        Task known;
        synchronized (recent) {
            known = recent.get(task.id());
        }
        if (task.progress() == null && known != null && known.progress() != null) {
            // the recorder built its end from the task as it began: the progress came meanwhile
            task = new Task(task.id(), task.op(), task.object(), task.user(), task.role(), task.origin(), task.node(), task.state(),
                    task.started(), task.ended(), task.errorCode(), task.message(), task.changes(), known.progress()).finishedProgress();
        }
        progressStored.remove(task.id());
        remember(task);
        store(task);
        if (pruning.compareAndSet(false, true)) {
            pruner.execute(() -> {
                pruning.set(false);
                try {
                    prune();
                } catch (RuntimeException e) {
                    LOG.debugf("tasks of node %s not pruned: %s", localNode, e.getMessage());
                }
            });
        }
    }

    /**
     * Records how far the newest task of {@code op} on {@code object} running here has come: at
     * once in memory (this node's lists show it), in the CDB (every node's) at most every
     * {@link #PROGRESS_EVERY}, so a fast copy loop never floods the journal; the finish carries
     * the last. No such task (the operation was not asked as a task): nothing.
     */
    public void progress(String op, String object, Progress progress) {
        Task task = null;
        synchronized (recent) {
            for (Task t : recent.values()) {
                if (!t.state().finished() && t.node().equals(localNode) && t.op().equals(op) && java.util.Objects.equals(t.object(), object)
                        && (task == null || !t.started().isBefore(task.started()))) {
                    task = t;
                }
            }
            if (task == null) {
                return;
            }
            task = task.advanced(progress);
            recent.put(task.id(), task);
        }
        long now = clock.millis();
        Long last = progressStored.get(task.id());
        if (last == null || now - last >= PROGRESS_EVERY.toMillis()) {
            progressStored.put(task.id(), now);
            store(task);
        }
    }

    /** Remembers a task another node runs for a caller of this node, until its own record arrives. */
    public void routed(Task task) {
        remember(task);
    }

    /** Writes a task this node could not hand to the node that should have run it (it never got it). */
    public void failedToRoute(Task task) {
        remember(task);
        store(task);
    }

    private void remember(Task task) {
        synchronized (recent) {
            recent.remove(task.id());
            recent.put(task.id(), task);
        }
    }

    /** The CDB, or null while the cluster service does not run (then tasks live only in memory). */
    private Cdb cdbOrNull() {
        try {
            return cdb.get();
        } catch (AcpException stopped) {
            return null;
        }
    }

    private void store(Task task) {
        Cdb c = cdbOrNull();
        if (c == null) {
            LOG.debugf("task %s not stored: the cluster service of node %s is not running", task.id(), localNode);
            return;
        }
        JsonNode spec = task.toJson();
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec).remove("id");
        c.putObject(key(task.id()), null, spec, null)
                .subscribe().with(ok -> { }, failure -> LOG.warnf("task %s (%s) on node %s not stored: %s", task.id(), task.op(), localNode,
                        failure.getMessage()));
    }

    /** A task by id: the cluster's record, or, before it arrives, what this node remembers of it. */
    public Optional<Task> find(String id) {
        if (ObjectKey.problem(id) != null) {
            return Optional.empty();
        }
        Optional<Task> stored = stored(id);
        if (stored.isPresent() && (stored.get().state().finished() || !newerHere(stored.get()))) {
            return stored;
        }
        synchronized (recent) {
            Task here = recent.get(id);
            return here != null ? Optional.of(here) : stored;
        }
    }

    /** True if this node holds a newer word on a task than its stored record: its finish not yet durable, or it runs here (its progress). */
    private boolean newerHere(Task stored) {
        synchronized (recent) {
            Task here = recent.get(stored.id());
            return here != null && (here.state().finished() || here.node().equals(localNode));
        }
    }

    private Optional<Task> stored(String id) {
        Cdb c = cdbOrNull();
        return c == null ? Optional.empty() : c.object(key(id)).flatMap(e -> parse(e));
    }

    /** Matching tasks, newest first: every node's stored tasks, plus those this node knows that are not stored yet. */
    public List<Task> list(TaskFilter filter) {
        Map<String, Task> all = new LinkedHashMap<>();
        synchronized (recent) {
            all.putAll(recent);
        }
        for (Task t : storedTasks()) {
            Task here = all.get(t.id());
            boolean runsHere = here != null && !here.state().finished() && here.node().equals(localNode);
            if (here == null || t.state().finished() || !here.state().finished() && !runsHere) {
                all.put(t.id(), t);
            }
        }
        return all.values().stream()
                .filter(filter::matches)
                .sorted(Comparator.comparing(Task::started).reversed().thenComparing(Task::id))
                .limit(filter.limit())
                .toList();
    }

    private List<Task> storedTasks() {
        List<Task> out = new ArrayList<>();
        Cdb c = cdbOrNull();
        if (c != null) { // else the cluster service is not running: only what this node remembers
            for (ObjectEntry e : c.objects(ObjectQuery.ofType(ObjectType.TASK))) {
                parse(e).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * Deletes this node's finished tasks beyond the retention: older than max-age, or beyond the
     * max-count newest. Returns how many it deleted.
     */
    public int prune() {
        Instant oldest = clock.instant().minus(retention.maxAge());
        // what is stored, plus what this node finished but the CDB has not acknowledged yet
        List<Task> mine = list(new TaskFilter(localNode, null, null, TaskFilter.MAX_LIMIT)).stream()
                .filter(t -> t.state().finished())
                .toList();
        if (mine.size() == TaskFilter.MAX_LIMIT) {
            mine = storedTasks().stream()
                    .filter(t -> t.node().equals(localNode) && t.state().finished())
                    .sorted(Comparator.comparing(Task::started).reversed())
                    .toList();
        }
        int deleted = 0;
        for (int i = 0; i < mine.size(); i++) {
            Task t = mine.get(i);
            if (i >= retention.maxCount() || t.started().isBefore(oldest)) {
                synchronized (recent) {
                    recent.remove(t.id());
                }
                Cdb c = cdbOrNull();
                if (c == null) {
                    break;
                }
                c.deleteObject(key(t.id())).subscribe().with(ok -> { }, failure -> LOG.debugf("task %s not pruned: %s", t.id(),
                        failure.getMessage()));
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * Marks failed the tasks this node's record says were running here but that this process does
     * not run: their node restarted under them, and nothing carries the work on. Called at start.
     */
    public int interrupted() {
        int n = 0;
        for (Task t : storedTasks()) {
            boolean runsHere;
            synchronized (recent) {
                runsHere = recent.containsKey(t.id());
            }
            if (t.node().equals(localNode) && t.state() == TaskState.RUNNING && !runsHere) {
                store(t.failed(clock.instant(), "interrupted", "node " + localNode + " restarted while the task ran; check the object's state", null));
                n++;
            }
        }
        return n;
    }

    /** The before/after difference of {@code key}'s spec, as the local state holds it now and held it at {@code before}. */
    public ArrayNode diffSince(ObjectKey key, JsonNode before) {
        return SpecDiff.between(before, specOf(key));
    }

    /** The spec of {@code key} in this node's state, or null (absent, or the cluster service is not running). */
    public JsonNode specOf(ObjectKey key) {
        Cdb c = key == null ? null : cdbOrNull();
        return c == null ? null : c.object(key).map(ObjectEntry::spec).orElse(null);
    }

    private static Optional<Task> parse(ObjectEntry e) {
        try {
            return Optional.of(Task.fromJson(e.id(), e.spec()));
        } catch (IllegalArgumentException malformed) {
            LOG.debugf("task %s is malformed: %s", e.id(), malformed.getMessage());
            return Optional.empty();
        }
    }

    private static ObjectKey key(String id) {
        return ObjectKey.of(ObjectType.TASK, id);
    }
}
