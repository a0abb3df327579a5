package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Objects this node took under their author's pair tag whose seal has not come: without it this
 * node cannot relay them to anyone (docs/protocol.md, "Returned objects"). The seal follows at the
 * author's next heartbeat, twice; when both copies were lost, or the author crashed or lost its
 * disk before its heartbeat, this node hands the objects back to their author (a RETURNED message),
 * which seals them again, or takes back what it no longer holds. Only what came under a tag is
 * tracked here: another node's object loaded from the journal after a restart lacks its seal too,
 * but its author and the other peers hold it as they always did.
 *
 * <p>Also the author's side: what a returned object makes this node do ({@link #onReturned}).
 *
 * <p>Sync thread only.
 */
final class ObjectReturns {

    private static final Logger LOG = Logger.getLogger(ObjectReturns.class);

    /** Times an object is handed back before this node gives up on it (logged): its author is not taking it. */
    static final int MAX_ATTEMPTS = 8;
    /** Objects handed back to one author per heartbeat at most; the rest at the next ones. */
    static final int MAX_PER_ROUND = 64;

    /** What the author does with an object returned to it. */
    enum Outcome {
        /** It holds the same version: it sends it again, and its seal follows as for a write. */
        SEAL_AGAIN,
        /** It lost it (a new disk) and takes it back, as written before this start, and seals it. */
        TAKE_BACK,
        /** It holds a newer version, which reaches the returning node as usual. */
        STALE,
        /**
         * It holds no such version although the version claims to be of this life (written since
         * this node started): this node would hold it. Refused.
         */
        NOT_OF_AN_EARLIER_LIFE
    }

    /** The version taken under a tag, how often it was handed back in the author's current life, and when last. */
    private record Held(Version version, int attempts, long lastSentMillis) {
    }

    private final Cdb cdb;
    private final SealStore seals;
    private final long minAgeMillis;
    /** By object: what was taken under a tag and whose seal has not come. */
    private final Map<ObjectKey, Held> tagged = new HashMap<>();
    /**
     * Every this many rounds, each tracked object is looked up, due or not, so what was sealed or
     * replaced meanwhile is forgotten; in the other rounds only the objects that may be due are.
     * After an overload tens of thousands of objects wait for their seal, and those of a dead author
     * wait until it is back: looking each one up at every heartbeat was a tenth of the sync thread
     * (docs/benchmarks.md, "A partition healing in a large state").
     */
    static final int LOOK_AT_ALL_ROUNDS = 30;

    /** Authors heard in a new epoch since the last round: their tagged objects are due at once. */
    private final Set<String> restarted = new HashSet<>();
    private long givenUp;
    private long rounds;
    private long lookedUp;

    /** @param minAgeMillis how old an unsealed object must be before it is returned to a live author (its seal is late by then) */
    ObjectReturns(Cdb cdb, SealStore seals, long minAgeMillis) {
        this.cdb = cdb;
        this.seals = seals;
        this.minAgeMillis = minAgeMillis;
    }

    /** An object merged under its author's pair tag. */
    void tookTagged(ObjectEntry e) {
        tagged.put(e.key(), new Held(e.version(), 0, Long.MIN_VALUE));
    }

    /**
     * An author heard in a new epoch: what it sent before cannot be sealed by the heartbeats it will
     * no longer send. Its objects are due at once, with their tries counted afresh: the ones made
     * while it was away (to its old address, or to a key it no longer has) did not count.
     */
    void authorRestarted(String author) {
        if (!tagged.isEmpty()) {
            restarted.add(author);
        }
    }

    /**
     * The objects to hand back this round, by author (sorted): each still held at the version taken
     * under a tag, still without a seal, and older than the minimum age (the seal is late), or of an
     * author that restarted; whose author {@code alive} says is heard; and not handed back within
     * the minimum age. Forgets objects since sealed or replaced (those that may be due at once, the
     * rest every {@value #LOOK_AT_ALL_ROUNDS} rounds). After {@value #MAX_ATTEMPTS} tries
     * in the author's current life an object is no longer handed back (logged once) until the
     * author restarts.
     */
    Map<String, List<ObjectEntry>> due(long nowMillis, Predicate<String> alive) {
        Map<String, List<ObjectEntry>> out = new TreeMap<>();
        boolean lookAtAll = ++rounds % LOOK_AT_ALL_ROUNDS == 0;
        for (Iterator<Map.Entry<ObjectKey, Held>> it = tagged.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ObjectKey, Held> t = it.next();
            Held h = t.getValue();
            String author = h.version().node(); // SealedEntry.requiredAuthor of the version taken
            boolean authorRestarted = !restarted.isEmpty() && restarted.contains(author); // nearly always empty: no hash of the author per object
            if (authorRestarted) {
                h = new Held(h.version(), 0, Long.MIN_VALUE);
                t.setValue(h);
            }
            boolean mayBeDue = mayBeDue(h, author, authorRestarted, nowMillis, alive, out);
            if (!mayBeDue && !lookAtAll) {
                continue; // not due whatever the CDB holds: no look-up (see LOOK_AT_ALL_ROUNDS)
            }
            lookedUp++;
            Optional<ObjectEntry> held = cdb.entry(t.getKey());
            if (held.isEmpty()) {
                // not durable yet; or its journal write failed, and anti-entropy brings it again
                if (nowMillis - h.version().millis() > 10 * minAgeMillis) {
                    it.remove();
                }
                continue;
            }
            if (!held.get().version().equals(h.version()) || seals.get(held.get()) != null) {
                it.remove(); // replaced, or sealed: relayable
                continue;
            }
            if (!mayBeDue) {
                continue; // looked up only to forget it if sealed or replaced
            }
            ObjectEntry e = held.get();
            if (h.attempts() == MAX_ATTEMPTS) {
                t.setValue(new Held(h.version(), MAX_ATTEMPTS + 1, nowMillis)); // kept: the author's restart makes it due again
                givenUp++;
                LOG.warnf("node %s gave up handing %s %s (version %s) back to its author %s after %d tries: the author does not take it,"
                                + " so it stays here without its seal and cannot be relayed until the author restarts", cdb.localNode(),
                        e.deleted() ? "deleted object" : "object", e.key(), e.version(), author, MAX_ATTEMPTS);
                continue;
            }
            t.setValue(new Held(h.version(), h.attempts() + 1, nowMillis));
            out.computeIfAbsent(author, a -> new ArrayList<>()).add(e);
        }
        restarted.clear();
        return out;
    }

    /**
     * Whether an object taken as {@code h} is handed back this round if the CDB still holds it
     * unsealed: its seal is late (or its author restarted), it has tries left, its author is heard,
     * it was not handed back within the minimum age, and its author's share of the round is not full.
     */
    private boolean mayBeDue(Held h, String author, boolean authorRestarted, long nowMillis, Predicate<String> alive,
            Map<String, List<ObjectEntry>> out) {
        if (!authorRestarted && nowMillis - h.version().millis() < minAgeMillis) {
            return false;
        }
        if (h.attempts() > MAX_ATTEMPTS || h.lastSentMillis() != Long.MIN_VALUE && nowMillis - h.lastSentMillis() < minAgeMillis) {
            return false;
        }
        List<ObjectEntry> round = out.get(author);
        return (round == null || round.size() < MAX_PER_ROUND) && alive.test(author);
    }

    /** Look-ups of the CDB and the seal store so far (what a round costs). */
    long lookedUp() {
        return lookedUp;
    }

    /** Objects tracked: taken under tags and not sealed yet (or not looked at since). */
    int tracked() {
        return tagged.size();
    }

    /** Objects this node stopped handing back after {@value #MAX_ATTEMPTS} tries. */
    long givenUp() {
        return givenUp;
    }

    /**
     * What the author does with one of its objects returned by a member: seal again what it holds
     * at the same version; take back what it lacks, if written before {@code startedMillis} (this
     * node's start: a version of an earlier life, lost with the disk); refuse a version of this
     * life it does not hold, which only a member making it up can send.
     *
     * @param held what this node holds of the object's key
     */
    static Outcome onReturned(ObjectEntry returned, Optional<ObjectEntry> held, long startedMillis) {
        if (held.isPresent() && held.get().version().equals(returned.version())) {
            return Outcome.SEAL_AGAIN;
        }
        if (held.isPresent() && !returned.version().isNewerThan(held.get().version())) {
            return Outcome.STALE;
        }
        return returned.version().millis() < startedMillis ? Outcome.TAKE_BACK : Outcome.NOT_OF_AN_EARLIER_LIFE;
    }
}
