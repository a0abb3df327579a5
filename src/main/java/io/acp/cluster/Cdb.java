package io.acp.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.SharedOutcome;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.time.Duration;
import java.util.HashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * <p>Durable before visible: an object write, local or merged, is queued to the journal first and
 * becomes visible (to reads, subscribers, and through them the sync digest and the peers) only once
 * its record is fsynced. A write the journal cannot take changes nothing anywhere; a local writer
 * gets {@code storage_failed}, a merged entry is simply not taken, so anti-entropy offers it again
 * once the disk has room. Object changes are therefore emitted on the journal's acknowledgement
 * thread: subscribers must not wait there for a CDB write of their own.
 *
 * <p>Clocks cannot be poisoned: an entry from another node whose version is more than
 * {@code maxClockAhead} ahead of this node's wall clock is refused ({@link MergeOutcome#TOO_FAR_AHEAD})
 * and never advances the local clock. A local write that loses to a newer stored version is
 * answered {@code conflict} naming the winning version and its node, never success.
 */
public final class Cdb implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Cdb.class);

    private final String localNode;
    private final HybridClock clock;
    private final ObjectLog log;
    private final int historySize;
    private final Object objectWrites = new Object();
    private final long maxClockAheadMillis;
    /** Durable objects and tombstones: what reads, subscribers and the digest see. */
    private final ConcurrentHashMap<ObjectKey, ObjectEntry> objects = new ConcurrentHashMap<>();
    /** The latest entry per key queued to the journal and not yet acknowledged; guarded by {@code objectWrites}. */
    private final Map<ObjectKey, ObjectEntry> pending = new HashMap<>();
    private volatile Readiness readiness = Readiness.READY;
    /** Completed whenever the node is ready; replaced by a new one while it is syncing. */
    private volatile CompletableFuture<Void> ready = CompletableFuture.completedFuture(null);

    /**
     * How long a conditional write (and {@link #whenReady}) waits for a syncing node to become
     * ready before it is refused with {@code not_ready}: a request that arrives in the first
     * seconds after a start is served once the state is pulled rather than refused.
     */
    public static final Duration NOT_READY_WAIT = Duration.ofSeconds(5);
    /** Tombstones written before this (wall ms) have been collected here; guarded by {@code objectWrites}. */
    private long collectedBefore = Long.MIN_VALUE;
    /** Meta and stats per object; each holder's monitor orders that object's reports. */
    private final ConcurrentHashMap<ObjectKey, ObjectReports> reports = new ConcurrentHashMap<>();
    /**
     * The keys of {@link #reports} by type, kept with it (a key is added in the function that makes
     * its holder, removed in the one that drops it, both under the map's lock of that key), so
     * {@link #reportedKeys} reads the few node keys without walking every system's and pool's:
     * placement asks for them at every create.
     */
    private final Map<ObjectType, Set<ObjectKey>> reportedByType = keySetPerType();
    private final ChangeStreams streams = new ChangeStreams();
    private final StatsNames statsNames = new StatsNames();
    private volatile ObjectWriter writer;

    /** Pass as {@code expected} to {@link #putObject} to require that no live object exists ({@code "ifVersion": null}). */
    public static final Version ABSENT = new Version(Long.MIN_VALUE, "(absent)");

    /** The default bound on how far ahead of the local clock a received version may be. */
    public static final Duration DEFAULT_MAX_CLOCK_AHEAD = Duration.ofSeconds(60);

    public Cdb(String localNode, HybridClock clock, ObjectLog log, int historySize) {
        this(localNode, clock, log, historySize, DEFAULT_MAX_CLOCK_AHEAD);
    }

    /**
     * @param maxClockAhead entries from other nodes with a version further ahead of this node's
     *                      wall clock are refused (and do not move the clock)
     */
    public Cdb(String localNode, HybridClock clock, ObjectLog log, int historySize, Duration maxClockAhead) {
        if (maxClockAhead.isNegative() || maxClockAhead.isZero()) {
            throw new IllegalArgumentException("max clock ahead of node " + localNode + " must be positive, got " + maxClockAhead);
        }
        this.localNode = localNode;
        this.clock = clock;
        this.log = log;
        this.historySize = historySize;
        this.maxClockAheadMillis = maxClockAhead.toMillis();
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

    /**
     * Reloads objects from the journal; returns how many records were replayed. An entry too far
     * ahead of the clock (stored before the bound existed) is kept, but the clock does not follow
     * it: a local write to that object is answered {@code conflict} naming it.
     */
    public int recover() {
        List<ObjectEntry> entries = log.load();
        synchronized (objectWrites) {
            for (ObjectEntry e : entries) {
                if (clock.isWithin(e.version().time(), maxClockAheadMillis)) {
                    clock.observe(e.version().time());
                } else {
                    LOG.warnf("journal of node %s holds %s at version %s, more than %d ms ahead of the local clock; the clock does not follow it",
                            localNode, e.key(), e.version(), maxClockAheadMillis);
                }
                applyObject(e);
            }
        }
        drainAll();
        return entries.size();
    }

    // ---- readiness ----------------------------------------------------------------------------

    /** Whether this node holds the cluster's state yet ({@link Readiness#SYNCING} while it catches up). */
    public Readiness readiness() {
        return readiness;
    }

    /**
     * Set by the cluster sync: syncing from its start until it has pulled from its peers. Also
     * published as {@code "readiness"} in this node's meta of {@code node/<self>}.
     */
    public void readiness(Readiness now) {
        Readiness before;
        CompletableFuture<Void> waiting;
        synchronized (this) {
            before = readiness;
            if (now == Readiness.SYNCING && ready.isDone()) {
                ready = new CompletableFuture<>();
            }
            readiness = now;
            waiting = ready;
        }
        if (now == Readiness.READY) {
            waiting.complete(null); // outside the lock: waiting writes go on from here
        }
        if (before != now) {
            LOG.infof("CDB of node %s is %s", localNode, now.wireName());
        }
        try {
            ObjectKey self = ObjectKey.of(ObjectType.NODE, localNode);
            updateMeta(self, m -> m.put("readiness", now.wireName()));
        } catch (IllegalArgumentException e) {
            LOG.debugf("node id '%s' is not a valid object id; its readiness is not published", localNode);
        }
    }

    /**
     * Completes at once when ready; while syncing, once ready or after {@link #NOT_READY_WAIT}
     * with {@code not_ready} (naming {@code what}). Never blocks a thread.
     */
    public Uni<Void> whenReady(String what) {
        CompletableFuture<Void> r = ready;
        if (r.isDone()) {
            return Uni.createFrom().voidItem();
        }
        return SharedOutcome.of(r)
                .ifNoItem().after(NOT_READY_WAIT).failWith(() -> notReady(what));
    }

    private AcpException notReady(String what) {
        return new AcpException(ErrorCode.NOT_READY, what + " on node " + localNode
                + " cannot be answered yet: the node is still syncing the cluster's state; retry shortly");
    }

    /**
     * Fails with {@code not_ready} while this node is catching up: for answers that earlier writes
     * it has not pulled yet could contradict (a read of a missing object, a conditional write).
     */
    public void requireReady(String what) {
        if (readiness != Readiness.READY) {
            throw notReady(what);
        }
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
                    : "object " + key + ": subtype must be one of " + new TreeSet<>(key.type().subtypes()) + ", got '" + subtype + "'"));
        }
        return write(key, conditional, expected, (current, v) -> new ObjectEntry(key, subtype, spec.deepCopy(), v, false));
    }

    /** Deletes an object by writing a tombstone; fails with NOT_FOUND if there is no live object. */
    public Uni<ObjectEntry> deleteObject(ObjectKey key) {
        return write(key, false, null, (current, v) -> {
            if (current == null || current.deleted()) {
                requireReady("a delete of " + key); // absent here may only mean not pulled yet
                // a tombstone says who deleted it and when: a second delete racing the first should say so
                throw current == null ? AcpException.notFound("object " + key)
                        : new AcpException(ErrorCode.NOT_FOUND, "object " + key + " not found: it was deleted at version " + current.version()
                                + " by node " + current.version().node() + (pending.get(key) == current ? " (being written to the journal)" : ""));
            }
            return new ObjectEntry(key, current.subtype(), Json.object(), v, true);
        });
    }

    private Uni<ObjectEntry> write(ObjectKey key, boolean conditional, Version expected, BiFunction<ObjectEntry, Version, ObjectEntry> make) {
        if (conditional && readiness != Readiness.READY) {
            // checked against a partial state it could succeed wrongly: wait for the state (bounded)
            return whenReady("a conditional write of " + key)
                    .chain(() -> write(key, true, expected, make));
        }
        ObjectEntry entry;
        Uni<Void> durable;
        try {
            synchronized (objectWrites) {
                ObjectEntry current = latest(key);
                if (conditional) {
                    Version actual = current == null || current.deleted() ? null : current.version();
                    if (!Objects.equals(expected, actual)) {
                        throw new AcpException(ErrorCode.CONFLICT, "object " + key + " on node " + localNode + " is at version "
                                + (actual == null ? "none (absent)" : actual) + ", not " + (expected == null ? "none (absent)" : expected));
                    }
                }
                entry = make.apply(current, new Version(clock.now(), localNode));
                if (current != null && !entry.version().isNewerThan(current.version())) {
                    throw lostTo(entry, current);
                }
                pending.put(key, entry);
                durable = log.append(entry);
            }
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
        // Subscribed here, not by the caller: a durable write must become visible even if nobody waits for it.
        // Not memoize(): its answer can reach a late subscriber before its subscription does (SharedOutcome).
        return SharedOutcome.of(durable
                .onFailure().invoke(failure -> notJournaled(entry, failure))
                .onItem().transform(ok -> publishLocal(entry)));
    }

    /** The newest entry of a key, queued or durable; caller holds {@code objectWrites}. */
    private ObjectEntry latest(ObjectKey key) {
        ObjectEntry queued = pending.get(key);
        ObjectEntry stored = objects.get(key);
        return queued != null && queued.version().isNewerThan(stored == null ? null : stored.version()) ? queued : stored;
    }

    private ObjectEntry publishLocal(ObjectEntry written) {
        ObjectEntry winner = null;
        synchronized (objectWrites) {
            pending.remove(written.key(), written);
            if (!applyObject(written)) {
                winner = objects.get(written.key());
            }
        }
        drainAll();
        if (winner != null) {
            throw lostTo(written, winner);
        }
        return written;
    }

    private void notJournaled(ObjectEntry written, Throwable failure) {
        synchronized (objectWrites) {
            pending.remove(written.key(), written);
        }
        LOG.errorf("journal write of %s (version %s) on node %s failed; it took effect nowhere: %s",
                written.key(), written.version(), localNode, failure.getMessage());
    }

    private AcpException lostTo(ObjectEntry written, ObjectEntry winner) {
        return new AcpException(ErrorCode.CONFLICT, "object " + written.key() + " on node " + localNode + ": this write (version "
                + written.version() + ") lost to version " + winner.version() + " written by node " + winner.version().node());
    }

    /**
     * Object writes taken (local and merged) whose journal record is not yet durable: what a
     * start waiting for a write is told by. Zero while such a start still waits means the write's
     * acknowledgement was delivered and its continuation lost, not that the journal holds it.
     */
    public int objectWritesInFlight() {
        synchronized (objectWrites) {
            return pending.size();
        }
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
            ObjectReports r = reports.computeIfAbsent(key, this::newReports);
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
        mergeStats(e, null);
        return e;
    }

    // ---- merge (from other nodes, and the path every local write shares) ----------------------

    /** Merges an entry from another node; true if it was taken ({@link #mergeFrom}). */
    public boolean merge(Entry e) {
        MergeOutcome outcome = mergeFrom(e);
        return outcome == MergeOutcome.TAKEN || outcome == MergeOutcome.RESTORED;
    }

    /**
     * Merges an entry from another node. An object is taken once it is newer than what this node
     * holds or has queued; it becomes visible when its journal record is fsynced, and if that
     * fails it is dropped (logged), so the digest still lacks it and anti-entropy brings it again.
     */
    public MergeOutcome mergeFrom(Entry e) {
        if (!observeClock(e)) {
            return MergeOutcome.TOO_FAR_AHEAD;
        }
        if (e instanceof ObjectEntry o) {
            Uni<Void> durable;
            synchronized (objectWrites) {
                ObjectEntry current = latest(o.key());
                if (current != null && !o.version().isNewerThan(current.version())) {
                    if (o.deleted()) {
                        reportsDeletedAt(o); // a losing delete still decides which reports survive (nothing of it is stored)
                    }
                    return MergeOutcome.STALE;
                }
                if (o.deleted() && o.version().millis() < collectedBefore && (current == null || current.deleted())) {
                    // collected here already: a peer that has not collected it yet must not bring it back
                    return MergeOutcome.STALE;
                }
                pending.put(o.key(), o);
                durable = log.append(o);
            }
            durable.subscribe().with(ok -> publishMerged(o), failure -> notJournaled(o, failure));
            return MergeOutcome.TAKEN;
        }
        if (e instanceof MetaEntry m) {
            return mergeMeta(m);
        }
        return mergeStats((StatsEntry) e, null);
    }

    /**
     * {@link #mergeFrom} for a stats sample, through a target the caller keeps for its key: the
     * same outcome, without looking the key up again (see {@link StatsTarget}).
     *
     * @throws IllegalArgumentException if the target is for another key
     */
    public MergeOutcome mergeFrom(StatsEntry e, StatsTarget target) {
        if (!target.isFor(e.key())) {
            throw new IllegalArgumentException("stats of " + e.key() + " merged through the target of " + target.key());
        }
        if (!observeClock(e)) {
            return MergeOutcome.TOO_FAR_AHEAD;
        }
        return mergeStats(e, target);
    }

    /** Whether {@code e}'s time is within the clock bound; if so, this node's clock has seen it. */
    private boolean observeClock(Entry e) {
        if (!clock.isWithin(e.version().time(), maxClockAheadMillis)) {
            return false;
        }
        clock.observe(e.version().time());
        return true;
    }

    private void publishMerged(ObjectEntry o) {
        synchronized (objectWrites) {
            pending.remove(o.key(), o);
            applyObject(o);
        }
        drainAll();
    }

    /** Stores an object if newer than the stored one; caller holds {@code objectWrites}. */
    private boolean applyObject(ObjectEntry e) {
        if (e.deleted()) {
            // Even a delete that loses to a newer write decides which reports survive (ObjectReports).
            reportsDeletedAt(e);
        }
        ObjectEntry old = objects.get(e.key());
        if (old != null && !e.version().isNewerThan(old.version())) {
            return false;
        }
        objects.put(e.key(), e);
        enqueue(e);
        return true;
    }

    private MergeOutcome mergeMeta(MetaEntry e) {
        while (true) {
            ObjectReports r = reportsOf(e.key());
            synchronized (r) {
                if (r.retired) {
                    continue;
                }
                if (!r.mergeMeta(e)) {
                    return MergeOutcome.STALE;
                }
                if (r.takenBack(false, e.node(), e.version())) {
                    return MergeOutcome.RESTORED;
                }
                enqueue(e);
            }
            drainAll();
            return MergeOutcome.TAKEN;
        }
    }

    /** @param target where the key's holder was found before, or null */
    private MergeOutcome mergeStats(StatsEntry e, StatsTarget target) {
        boolean queued;
        while (true) {
            ObjectReports r = target != null && target.reports != null ? target.reports : reportsOf(e.key());
            synchronized (r) {
                if (r.retired) {
                    if (target != null) {
                        target.reports = null;
                    }
                    continue;
                }
                if (target != null) {
                    target.reports = r;
                }
                ObjectReports.StatsMerge merged = r.mergeStats(e, historySize, statsNames);
                if (merged == ObjectReports.StatsMerge.STALE) {
                    return MergeOutcome.STALE;
                }
                if (r.takenBack(true, e.node(), e.version())) {
                    return MergeOutcome.RESTORED;
                }
                queued = streams.enqueueSample(e, merged == ObjectReports.StatsMerge.FIRST_OF_SERIES);
            }
            // a received sample that continues a series is queued for no subscriber that takes only
            // series starts (the sync's): no drain then, whose two atomic updates and lock per
            // subscriber were ≈ 4–7 % of the sync thread at 12,600 samples a second
            if (queued) {
                drainAll();
            }
            return MergeOutcome.TAKEN;
        }
    }

    /**
     * The reports holder of a key, created if absent. A plain read first: the holder nearly always
     * exists (every stats sample of a known object), and {@code computeIfAbsent} locks the bin when
     * the key is not its first node.
     */
    private ObjectReports reportsOf(ObjectKey key) {
        ObjectReports r = reports.get(key);
        return r != null ? r : reports.computeIfAbsent(key, this::newReports);
    }

    private static Map<ObjectType, Set<ObjectKey>> keySetPerType() {
        Map<ObjectType, Set<ObjectKey>> m = new EnumMap<>(ObjectType.class);
        for (ObjectType t : ObjectType.values()) {
            m.put(t, ConcurrentHashMap.newKeySet());
        }
        return m;
    }

    /** A new reports holder for {@code key}, as the map's function that inserts it. */
    private ObjectReports newReports(ObjectKey key) {
        reportedByType.get(key.type()).add(key);
        return new ObjectReports();
    }

    /** Drops the key's reports not newer than the tombstone; caller holds {@code objectWrites}. */
    private void reportsDeletedAt(ObjectEntry tombstone) {
        ObjectReports r = lockableReports(tombstone.key());
        synchronized (r) {
            r.deleted(tombstone.version());
        }
    }

    /** The reports holder of a key, created if absent; only for callers holding {@code objectWrites}, which is when holders are retired. */
    private ObjectReports lockableReports(ObjectKey key) {
        return reports.computeIfAbsent(key, this::newReports);
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

    /**
     * Forgets one node's report of an object (its meta, or its stats series with the history held
     * here) if the latest held is still exactly {@code e}: the sync drops a report it can never
     * relay and whose author no longer holds it (see {@code ClusterSync}), so the nodes converge on
     * not having it. No change is emitted, as when a delete drops reports: subscribers see the
     * report's next version, if one comes. If the same version comes back (a peer relays it under
     * its author's seal), or an older one (a peer holds only a sealed report the author had since
     * replaced), it is stored without a change ({@link MergeOutcome#RESTORED}), so a subscriber
     * never sees a version of a slot twice, nor one older than it saw. Objects are never forgotten
     * this way.
     *
     * @return whether the report was dropped
     */
    public boolean forgetReport(Entry e) {
        if (e.kind() == Entry.Kind.OBJECT) {
            throw new IllegalArgumentException("forgetReport takes meta or stats, not object " + e.key());
        }
        ObjectReports r = reports.get(e.key());
        if (r == null) {
            return false;
        }
        synchronized (r) {
            return e.kind() == Entry.Kind.META ? r.dropMeta(e.node(), e.version()) : r.dropStats(e.node(), e.version());
        }
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

    /** The meta and latest stats of an object (its reports), from every node or from one: {@link #meta}, then {@link #stats}. */
    public List<Entry> reports(ObjectKey key, String node) {
        List<Entry> out = new ArrayList<>(meta(key, node));
        out.addAll(stats(key, node));
        return out;
    }

    /**
     * The version of the latest meta of (key, node), or null: what the sync compares a received
     * entry with before verifying it, without the copies and sort of {@link #meta}.
     */
    public Version latestMetaVersion(ObjectKey key, String node) {
        return readOne(key, r -> r.metaVersion(node));
    }

    /** The latest stats sample of (key, node), or null: {@link #stats} for one series, without the list. */
    public StatsEntry latestStats(ObjectKey key, String node) {
        return readOne(key, r -> r.latestSample(node));
    }

    /** The version of the latest stats sample of (key, node), or null (as {@link #latestMetaVersion}). */
    public Version latestStatsVersion(ObjectKey key, String node) {
        return readOne(key, r -> r.statsVersion(node));
    }

    /** One value read from a key's reports under their lock; null if the key has none. */
    private <T> T readOne(ObjectKey key, Function<ObjectReports, T> query) {
        ObjectReports r = reports.get(key);
        if (r == null) {
            return null;
        }
        synchronized (r) {
            return query.apply(r);
        }
    }

    /**
     * What a user of the CDB keeps with the stats series of (key, node), made by {@code ifAbsent}
     * on first use; null while the CDB holds no such series. It lives and dies with the series (a
     * delete that drops the series drops it), and is found by the look-up that finds the series:
     * the sync keeps a series' seal and digest state here rather than in maps of its own over the
     * same slots, so a received sample visits one structure, not three. Opaque to the CDB; the
     * caller makes it thread-safe.
     */
    public Object statsAttachment(ObjectKey key, String node, Supplier<?> ifAbsent) {
        return readOne(key, r -> r.statsAttachment(node, ifAbsent));
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
    public List<ObjectKey> reportedKeys(ObjectType type) {
        List<ObjectKey> out = new ArrayList<>(reportedKeysInAnyOrder(type));
        out.sort(Comparator.comparing(ObjectKey::id));
        return out;
    }

    /**
     * The same keys as a live view in no order, for a walk that needs neither a copy nor an order
     * (the sync's sweep of a peer's reports); keys added or removed during the walk may or may not
     * be seen, as with any concurrent set.
     */
    public Collection<ObjectKey> reportedKeysInAnyOrder(ObjectType type) {
        return Collections.unmodifiableSet(reportedByType.get(type));
    }

    public int objectCount() {
        return objects.size();
    }

    // ---- change streams -----------------------------------------------------------------------

    /**
     * Every change matching the filter from the moment of subscription. A subscriber that falls
     * behind gets the latest entry of each object, and of each node's meta and stats of it,
     * instead of every intermediate one (an object's versions still arrive in rising order).
     * The stream completes when the CDB closes. Changes are emitted on the writing thread while
     * the subscriber has demand; use {@code emitOn} to consume them elsewhere.
     */
    public Multi<Entry> changes(ChangeFilter filter) {
        return streams.open(filter);
    }

    /**
     * As {@link #changes}, except that another node's stats sample is emitted only when it starts a
     * series (the CDB held none of its object and node, or had dropped it with a delete): for a
     * subscriber that mirrors which series exist and reads their latest sample when it needs it
     * (the sync's digest), so a sample received every second costs it nothing. This node's own
     * samples are all emitted.
     */
    public Multi<Entry> changesOfSeries(ChangeFilter filter) {
        return streams.open(filter, localNode);
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

    /**
     * Drops tombstones written before {@code olderThanMillis}; returns how many. From then on a
     * tombstone that old arriving from a peer (which has not collected it yet) is not taken back.
     */
    public int collectTombstones(long olderThanMillis) {
        int n = 0;
        synchronized (objectWrites) {
            collectedBefore = Math.max(collectedBefore, olderThanMillis);
            for (ObjectEntry e : objects.values()) {
                if (collectable(e, olderThanMillis) && objects.remove(e.key(), e)) {
                    forgetDelete(e.key());
                    n++;
                }
            }
        }
        return n;
    }

    /** How many tombstones written before {@code olderThanMillis} are held: those a collection would drop. */
    public int tombstonesOlderThan(long olderThanMillis) {
        int n = 0;
        for (ObjectEntry e : objects.values()) {
            if (collectable(e, olderThanMillis)) {
                n++;
            }
        }
        return n;
    }

    /** A tombstone written before {@code olderThanMillis}. */
    private static boolean collectable(ObjectEntry e, long olderThanMillis) {
        return e.deleted() && e.version().millis() < olderThanMillis;
    }

    private void forgetDelete(ObjectKey key) {
        ObjectReports r = reports.get(key);
        if (r != null) {
            synchronized (r) {
                if (r.forgetDelete()) {
                    r.retired = true;
                    reports.computeIfPresent(key, (k, held) -> {
                        if (held != r) {
                            return held;
                        }
                        reportedByType.get(k.type()).remove(k);
                        return null;
                    });
                }
            }
        }
    }

    /**
     * Rewrites the journal as a snapshot of the current objects and tombstones, and of the entries
     * queued to it (the journal writes those first; if one fails, it postpones the compaction).
     */
    public void compact() {
        CompletableFuture<Void> done;
        synchronized (objectWrites) {
            // Queued under the lock, so the journal orders it exactly between the writes it holds
            // and the later ones; waited for outside it, so no writer waits on the disk meanwhile.
            Map<ObjectKey, ObjectEntry> snapshot = new HashMap<>(objects);
            pending.forEach((key, queued) -> snapshot.merge(key, queued, (a, b) -> b.version().isNewerThan(a.version()) ? b : a));
            done = log.compactQueued(snapshot.values());
        }
        try {
            done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** How many object writes are queued to the journal and not yet acknowledged (tests, diagnostics). */
    public int pendingWrites() {
        synchronized (objectWrites) {
            return pending.size();
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
