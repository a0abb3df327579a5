package io.acp.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * The cluster database of one node: objects (persistent, journaled), and per-node meta and stats
 * (in memory, stats with a bounded history). All writes, local or merged from other nodes, go
 * through the same rule: an entry replaces the stored one only if its version is higher, so every
 * node that has seen the same entries holds the same state, whatever order they arrived in.
 *
 * <p>Local object writes are applied and published at once and acknowledged once the journal has
 * fsynced them; if the journal fails, the write is undone and the caller gets the error.
 */
public final class Cdb implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Cdb.class);

    private final String localNode;
    private final HybridClock clock;
    private final ObjectLog log;
    private final int historySize;
    private final Object objectWrites = new Object();
    private final ConcurrentHashMap<ObjectKey, ObjectEntry> objects = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<String, MetaEntry>> meta = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<ObjectKey, ConcurrentHashMap<String, StatsSeries>> stats = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<ChangeSubscription> subscribers = new CopyOnWriteArrayList<>();

    /** Pass as {@code expected} to {@link #putObject} to require that no live object exists. */
    public static final Version ABSENT = new Version(Long.MIN_VALUE, "(absent)");

    public Cdb(String localNode, HybridClock clock, ObjectLog log, int historySize) {
        this.localNode = localNode;
        this.clock = clock;
        this.log = log;
        this.historySize = historySize;
    }

    /** An in-memory CDB with no journal (tests, benchmarks). */
    public static Cdb inMemory(String localNode) {
        return new Cdb(localNode, new HybridClock(), ObjectLog.NONE, 60);
    }

    public String localNode() {
        return localNode;
    }

    public HybridClock clock() {
        return clock;
    }

    /** Reloads objects from the journal; returns how many records were replayed. */
    public int recover() {
        List<ObjectEntry> entries = log.load();
        synchronized (objectWrites) {
            for (ObjectEntry e : entries) {
                clock.observe(e.version().time());
                applyObject(e);
            }
        }
        return entries.size();
    }

    // ---- local writes ------------------------------------------------------------------------

    /**
     * Writes an object from this node.
     *
     * @param expected if not null, the write succeeds only while the stored version equals it
     *                 ({@link #ABSENT}: only while no live object exists)
     */
    public Uni<ObjectEntry> putObject(ObjectKey key, String subtype, JsonNode spec, Version expected) {
        if (spec == null || !spec.isObject()) {
            return Uni.createFrom().failure(AcpException.badRequest("spec of " + key + " must be a JSON object"));
        }
        return write(key, expected, v -> new ObjectEntry(key, subtype, spec.deepCopy(), v, false));
    }

    /** Deletes an object by writing a tombstone; fails with NOT_FOUND if there is no live object. */
    public Uni<ObjectEntry> deleteObject(ObjectKey key) {
        return write(key, null, v -> {
            ObjectEntry current = objects.get(key);
            if (current == null || current.deleted()) {
                throw AcpException.notFound("object " + key);
            }
            return new ObjectEntry(key, current.subtype(), Json.object(), v, true);
        });
    }

    private Uni<ObjectEntry> write(ObjectKey key, Version expected, java.util.function.Function<Version, ObjectEntry> make) {
        ObjectEntry entry;
        ObjectEntry previous;
        Uni<Void> durable;
        try {
            synchronized (objectWrites) {
                previous = objects.get(key);
                if (expected != null) {
                    Version actual = previous == null || previous.deleted() ? null : previous.version();
                    if (expected == ABSENT && actual != null) {
                        throw new AcpException(ErrorCode.CONFLICT, "object " + key + " already exists at version " + actual);
                    }
                    if (expected != ABSENT && !expected.equals(actual)) {
                        throw new AcpException(ErrorCode.CONFLICT, "object " + key + " is at version " + actual + ", not " + expected);
                    }
                }
                entry = make.apply(new Version(clock.now(), localNode));
                applyObject(entry);
                durable = log.append(entry);
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        return durable
                .onFailure().invoke(failure -> undo(entry, previous, failure))
                .replaceWith(entry);
    }

    private void undo(ObjectEntry written, ObjectEntry previous, Throwable failure) {
        LOG.errorf("journal write of %s failed, write undone: %s", written.key(), failure.getMessage());
        synchronized (objectWrites) {
            boolean restored = previous == null ? objects.remove(written.key(), written) : objects.replace(written.key(), written, previous);
            if (restored && previous != null) {
                publish(previous);
            }
        }
    }

    /** Records this node's meta for an object. */
    public MetaEntry putMeta(ObjectKey key, ObjectNode values) {
        MetaEntry e = new MetaEntry(key, localNode, values.deepCopy(), new Version(clock.now(), localNode));
        mergeMeta(e);
        return e;
    }

    /** Records one stats sample of this node for an object. */
    public StatsEntry putStats(ObjectKey key, Map<String, Double> values) {
        StatsEntry e = new StatsEntry(key, localNode, values, new Version(clock.now(), localNode));
        mergeStats(e);
        return e;
    }

    // ---- merge (from other nodes, and the path every local write shares) ----------------------

    /** Merges an entry from another node; returns true if it changed this node's state. */
    public boolean merge(Entry e) {
        clock.observe(e.version().time());
        if (e instanceof ObjectEntry o) {
            synchronized (objectWrites) {
                if (!applyObject(o)) {
                    return false;
                }
                log.append(o).subscribe().with(ok -> { }, f -> LOG.errorf("journal write of merged %s failed: %s", o.key(), f.getMessage()));
                return true;
            }
        }
        if (e instanceof MetaEntry m) {
            return mergeMeta(m);
        }
        return mergeStats((StatsEntry) e);
    }

    private boolean applyObject(ObjectEntry e) {
        ObjectEntry stored = objects.merge(e.key(), e, (old, neu) -> neu.version().isNewerThan(old.version()) ? neu : old);
        if (stored != e) {
            return false;
        }
        if (e.deleted()) {
            meta.remove(e.key());
            stats.remove(e.key());
        }
        publish(e);
        return true;
    }

    private boolean mergeMeta(MetaEntry e) {
        MetaEntry stored = meta.computeIfAbsent(e.key(), k -> new ConcurrentHashMap<>())
                .merge(e.node(), e, (old, neu) -> neu.version().isNewerThan(old.version()) ? neu : old);
        if (stored != e) {
            return false;
        }
        publish(e);
        return true;
    }

    private boolean mergeStats(StatsEntry e) {
        StatsSeries series = stats.computeIfAbsent(e.key(), k -> new ConcurrentHashMap<>())
                .computeIfAbsent(e.node(), n -> new StatsSeries(historySize));
        if (!series.add(e)) {
            return false;
        }
        publish(e);
        return true;
    }

    // ---- queries ------------------------------------------------------------------------------

    /** The live object, or empty if absent or deleted. */
    public Optional<ObjectEntry> object(ObjectKey key) {
        ObjectEntry e = objects.get(key);
        return e == null || e.deleted() ? Optional.empty() : Optional.of(e);
    }

    /** The stored entry including tombstones (for sync and tests). */
    public Optional<ObjectEntry> entry(ObjectKey key) {
        return Optional.ofNullable(objects.get(key));
    }

    /** Matching objects sorted by type and id. */
    public List<ObjectEntry> objects(ObjectQuery q) {
        List<ObjectEntry> out = new ArrayList<>();
        for (ObjectEntry e : objects.values()) {
            if (q.matches(e)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparing((ObjectEntry e) -> e.type()).thenComparing(ObjectEntry::id));
        return out;
    }

    /** Meta of an object from every node, or from one node if {@code node} is not null; sorted by node. */
    public List<MetaEntry> meta(ObjectKey key, String node) {
        Map<String, MetaEntry> perNode = meta.getOrDefault(key, new ConcurrentHashMap<>());
        List<MetaEntry> out = new ArrayList<>();
        perNode.forEach((n, e) -> {
            if (node == null || node.equals(n)) {
                out.add(e);
            }
        });
        out.sort(Comparator.comparing(MetaEntry::node));
        return out;
    }

    /** Latest stats of an object from every node (or one); sorted by node. */
    public List<StatsEntry> stats(ObjectKey key, String node) {
        List<StatsEntry> out = new ArrayList<>();
        stats.getOrDefault(key, new ConcurrentHashMap<>()).forEach((n, s) -> {
            StatsEntry latest = s.latest();
            if (latest != null && (node == null || node.equals(n))) {
                out.add(latest);
            }
        });
        out.sort(Comparator.comparing(StatsEntry::node));
        return out;
    }

    /** Recent stats samples of an object on one node, oldest first (at most the history size). */
    public List<StatsEntry> statsHistory(ObjectKey key, String node) {
        StatsSeries s = stats.getOrDefault(key, new ConcurrentHashMap<>()).get(node);
        return s == null ? List.of() : s.history();
    }

    public int objectCount() {
        return objects.size();
    }

    // ---- change streams -----------------------------------------------------------------------

    /**
     * Every change matching the filter from the moment of subscription. A subscriber that falls
     * behind gets the latest entry per (kind, object, node) instead of every intermediate one.
     */
    public Multi<Entry> changes(ChangeFilter filter) {
        return Multi.createFrom().publisher(subscriber -> {
            ChangeSubscription s = new ChangeSubscription(filter, subscriber, subscribers::remove);
            subscribers.add(s);
            subscriber.onSubscribe(s);
        });
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    private void publish(Entry e) {
        for (ChangeSubscription s : subscribers) {
            s.offer(e);
        }
    }

    // ---- maintenance --------------------------------------------------------------------------

    /** Drops tombstones written before {@code olderThanMillis}; returns how many. */
    public int collectTombstones(long olderThanMillis) {
        int n = 0;
        synchronized (objectWrites) {
            for (ObjectEntry e : objects.values()) {
                if (e.deleted() && e.version().millis() < olderThanMillis && objects.remove(e.key(), e)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Rewrites the journal as a snapshot of the current objects and tombstones. */
    public void compact() {
        synchronized (objectWrites) {
            log.compact(List.copyOf(objects.values()));
        }
    }

    @Override
    public void close() {
        for (ChangeSubscription s : subscribers) {
            s.complete();
        }
        subscribers.clear();
        log.close();
    }
}
