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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.jboss.logging.Logger;

/**
 * The cluster database of one node: objects (persistent, journaled), and per-node meta and stats
 * (in memory, stats with a bounded history). All writes, local or merged from other nodes, go
 * through the same rule: an entry replaces the stored one only if its version is higher, so every
 * node that has seen the same entries holds the same state, whatever order they arrived in.
 * A delete also drops, for good, every meta and stats report not newer than it (see {@link ObjectReports}).
 *
 * <p>Locking: object writes serialize on one lock (they are journaled in order); meta and stats
 * lock only their object's {@link ObjectReports}. Changes are queued for subscribers under those
 * locks, so each key's changes reach a subscriber in version order, and emitted after them, so a
 * subscriber may write to the CDB from {@code onNext}.
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
    /** Meta and stats per object; each holder's monitor orders that object's reports. */
    private final ConcurrentHashMap<ObjectKey, ObjectReports> reports = new ConcurrentHashMap<>();
    private final ChangeStreams streams = new ChangeStreams();
    private volatile ObjectWriter writer;

    /** Pass as {@code expected} to {@link #putObject} to require that no live object exists ({@code "ifVersion": null}). */
    public static final Version ABSENT = new Version(Long.MIN_VALUE, "(absent)");

    public Cdb(String localNode, HybridClock clock, ObjectLog log, int historySize) {
        this.localNode = localNode;
        this.clock = clock;
        this.log = log;
        this.historySize = historySize;
    }

    /** The writer for callers that must not block on the write lock (event loops); started on first use. */
    public ObjectWriter writer() {
        ObjectWriter w = writer;
        if (w == null) {
            synchronized (this) {
                if (writer == null) {
                    writer = new ObjectWriter(this);
                }
                w = writer;
            }
        }
        return w;
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
        drainAll();
        return entries.size();
    }

    // ---- local writes ------------------------------------------------------------------------

    /**
     * Writes an object from this node.
     *
     * @param expected if not null, the write succeeds only while the live object is at exactly this
     *                 version; {@link #ABSENT}: only while no live object exists (CONFLICT otherwise)
     */
    public Uni<ObjectEntry> putObject(ObjectKey key, String subtype, JsonNode spec, Version expected) {
        return expected == ABSENT
                ? putObject(key, subtype, spec, true, null)
                : putObject(key, subtype, spec, expected != null, expected);
    }

    private Uni<ObjectEntry> putObject(ObjectKey key, String subtype, JsonNode spec, boolean conditional, Version expected) {
        if (spec == null || !spec.isObject()) {
            return Uni.createFrom().failure(AcpException.badRequest("spec of " + key + " must be a JSON object"));
        }
        if (!key.type().allowsSubtype(subtype)) {
            return Uni.createFrom().failure(AcpException.badRequest(key.type().subtypes().isEmpty()
                    ? "object " + key + ": type " + key.type().wireName() + " has no subtypes, got '" + subtype + "'"
                    : "object " + key + ": subtype must be one of " + new java.util.TreeSet<>(key.type().subtypes()) + ", got '" + subtype + "'"));
        }
        return write(key, conditional, expected, v -> new ObjectEntry(key, subtype, spec.deepCopy(), v, false));
    }

    /** Deletes an object by writing a tombstone; fails with NOT_FOUND if there is no live object. */
    public Uni<ObjectEntry> deleteObject(ObjectKey key) {
        return write(key, false, null, v -> {
            ObjectEntry current = objects.get(key);
            if (current == null || current.deleted()) {
                throw AcpException.notFound("object " + key);
            }
            return new ObjectEntry(key, current.subtype(), Json.object(), v, true);
        });
    }

    private Uni<ObjectEntry> write(ObjectKey key, boolean conditional, Version expected, Function<Version, ObjectEntry> make) {
        ObjectEntry entry;
        ObjectEntry previous;
        Uni<Void> durable;
        try {
            synchronized (objectWrites) {
                previous = objects.get(key);
                if (conditional) {
                    Version actual = previous == null || previous.deleted() ? null : previous.version();
                    if (!Objects.equals(expected, actual)) {
                        throw new AcpException(ErrorCode.CONFLICT, "object " + key + " on node " + localNode + " is at version "
                                + (actual == null ? "none (absent)" : actual) + ", not " + (expected == null ? "none (absent)" : expected));
                    }
                }
                entry = make.apply(new Version(clock.now(), localNode));
                applyObject(entry);
                durable = log.append(entry);
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        drainAll();
        // Subscribed here, not by the caller: a failed write must be undone even if nobody waits for it.
        Uni<ObjectEntry> acknowledged = durable
                .onFailure().invoke(failure -> undo(entry, previous, failure))
                .replaceWith(entry)
                .memoize().indefinitely();
        acknowledged.subscribe().with(ok -> { }, failure -> { });
        return acknowledged;
    }

    private void undo(ObjectEntry written, ObjectEntry previous, Throwable failure) {
        LOG.errorf("journal write of %s on node %s failed, write undone: %s", written.key(), localNode, failure.getMessage());
        synchronized (objectWrites) {
            boolean restored = previous == null ? objects.remove(written.key(), written) : objects.replace(written.key(), written, previous);
            if (restored && previous != null) {
                enqueue(previous);
            }
        }
        drainAll();
    }

    /** Records this node's meta for an object. */
    public MetaEntry putMeta(ObjectKey key, ObjectNode values) {
        MetaEntry e = new MetaEntry(key, localNode, values.deepCopy(), new Version(clock.now(), localNode));
        mergeMeta(e);
        return e;
    }

    /**
     * Rewrites this node's meta of an object from the stored one, atomically against every other
     * local writer of the same entry: services that share one (the framework writes a service's
     * state, the service adds its own fields) never undo each other's fields. The function gets a
     * copy of the stored values (empty when none) and returns the new ones; nothing is written when
     * they are unchanged.
     */
    public Optional<MetaEntry> updateMeta(ObjectKey key, UnaryOperator<ObjectNode> change) {
        while (true) {
            ObjectReports r = reports.computeIfAbsent(key, k -> new ObjectReports());
            MetaEntry e;
            synchronized (r) {
                if (r.retired) {
                    continue;
                }
                List<MetaEntry> mine = r.meta(localNode);
                ObjectNode old = mine.isEmpty() ? null : mine.get(0).values();
                ObjectNode next = change.apply(old == null ? Json.object() : old.deepCopy());
                if (next.equals(old)) {
                    return Optional.empty();
                }
                e = new MetaEntry(key, localNode, next.deepCopy(), new Version(clock.now(), localNode));
                if (!r.mergeMeta(e)) {
                    return Optional.empty();
                }
                enqueue(e);
            }
            drainAll();
            return Optional.of(e);
        }
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
                log.append(o).subscribe().with(ok -> { }, f -> LOG.errorf("journal write of merged %s on node %s failed: %s", o.key(), localNode, f.getMessage()));
            }
            drainAll();
            return true;
        }
        if (e instanceof MetaEntry m) {
            return mergeMeta(m);
        }
        return mergeStats((StatsEntry) e);
    }

    /** Stores an object if newer than the stored one; caller holds {@code objectWrites}. */
    private boolean applyObject(ObjectEntry e) {
        if (e.deleted()) {
            // Even a delete that loses to a newer write decides which reports survive (ObjectReports).
            ObjectReports r = lockableReports(e.key());
            synchronized (r) {
                r.deleted(e.version());
            }
        }
        ObjectEntry old = objects.get(e.key());
        if (old != null && !e.version().isNewerThan(old.version())) {
            return false;
        }
        objects.put(e.key(), e);
        enqueue(e);
        return true;
    }

    private boolean mergeMeta(MetaEntry e) {
        while (true) {
            ObjectReports r = reports.computeIfAbsent(e.key(), k -> new ObjectReports());
            synchronized (r) {
                if (r.retired) {
                    continue;
                }
                if (!r.mergeMeta(e)) {
                    return false;
                }
                enqueue(e);
            }
            drainAll();
            return true;
        }
    }

    private boolean mergeStats(StatsEntry e) {
        while (true) {
            ObjectReports r = reports.computeIfAbsent(e.key(), k -> new ObjectReports());
            synchronized (r) {
                if (r.retired) {
                    continue;
                }
                if (!r.mergeStats(e, historySize)) {
                    return false;
                }
                enqueue(e);
            }
            drainAll();
            return true;
        }
    }

    /** The reports holder of a key, created if absent; only for callers holding {@code objectWrites}, which is when holders are retired. */
    private ObjectReports lockableReports(ObjectKey key) {
        return reports.computeIfAbsent(key, k -> new ObjectReports());
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
        List<MetaEntry> out = read(key, r -> r.meta(node));
        out.sort(Comparator.comparing(MetaEntry::node));
        return out;
    }

    /** Latest stats of an object from every node (or one); sorted by node. */
    public List<StatsEntry> stats(ObjectKey key, String node) {
        List<StatsEntry> out = read(key, r -> r.latestStats(node));
        out.sort(Comparator.comparing(StatsEntry::node));
        return out;
    }

    /** Recent stats samples of an object on one node, oldest first (at most the history size). */
    public List<StatsEntry> statsHistory(ObjectKey key, String node) {
        return read(key, r -> r.statsHistory(node));
    }

    private <T> List<T> read(ObjectKey key, Function<ObjectReports, List<T>> query) {
        ObjectReports r = reports.get(key);
        if (r == null) {
            return new ArrayList<>();
        }
        synchronized (r) {
            return new ArrayList<>(query.apply(r));
        }
    }

    /** Keys of {@code type} that carry meta or stats of some node (e.g. every node that reports itself), sorted by id. */
    public List<ObjectKey> reportedKeys(io.acp.model.ObjectType type) {
        List<ObjectKey> out = new ArrayList<>();
        for (ObjectKey k : reports.keySet()) {
            if (k.type() == type) {
                out.add(k);
            }
        }
        out.sort(Comparator.comparing(ObjectKey::id));
        return out;
    }

    public int objectCount() {
        return objects.size();
    }

    // ---- change streams -----------------------------------------------------------------------

    /**
     * Every change matching the filter from the moment of subscription. A subscriber that falls
     * behind gets the latest entry per (kind, object, node) instead of every intermediate one.
     * The stream completes when the CDB closes. Changes are emitted on the writing thread while
     * the subscriber has demand; use {@code emitOn} to consume them elsewhere.
     */
    public Multi<Entry> changes(ChangeFilter filter) {
        return streams.open(filter);
    }

    public int subscriberCount() {
        return streams.count();
    }

    /** The live subscriptions (tests look at their queues). */
    List<ChangeSubscription> subscriptions() {
        return streams.subscriptions();
    }

    private void enqueue(Entry e) {
        streams.enqueue(e);
    }

    private void drainAll() {
        streams.drain();
    }

    // ---- maintenance --------------------------------------------------------------------------

    /** Drops tombstones written before {@code olderThanMillis}; returns how many. */
    public int collectTombstones(long olderThanMillis) {
        int n = 0;
        synchronized (objectWrites) {
            for (ObjectEntry e : objects.values()) {
                if (e.deleted() && e.version().millis() < olderThanMillis && objects.remove(e.key(), e)) {
                    forgetDelete(e.key());
                    n++;
                }
            }
        }
        return n;
    }

    private void forgetDelete(ObjectKey key) {
        ObjectReports r = reports.get(key);
        if (r != null) {
            synchronized (r) {
                if (r.forgetDelete()) {
                    r.retired = true;
                    reports.remove(key, r);
                }
            }
        }
    }

    /** Rewrites the journal as a snapshot of the current objects and tombstones. */
    public void compact() {
        synchronized (objectWrites) {
            log.compact(List.copyOf(objects.values()));
        }
    }

    @Override
    public void close() {
        ObjectWriter w = writer;
        if (w != null) {
            w.close();
        }
        streams.close();
        log.close();
    }
}
