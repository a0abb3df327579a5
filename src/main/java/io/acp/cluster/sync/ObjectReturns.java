package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
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

    /**
     * One author's tracked objects. {@code waiting} is in the order they may next be due: an object
     * enters at the tail when taken, and goes back to the tail when handed back, so the head is the
     * one whose seal has been late longest. A round walks from the head and stops at the first
     * object not due yet, or when the author's share is full. The order is only near: a version
     * stamped ahead of this node's clock, or an old one brought late by anti-entropy, waits behind
     * its neighbours for at most the minimum age. {@code givenUp}: out of tries until the author
     * restarts.
     */
    private static final class AuthorObjects {
        final LinkedHashMap<ObjectKey, Held> waiting = new LinkedHashMap<>();
        final Map<ObjectKey, Held> givenUp = new HashMap<>();

        void remove(ObjectKey key) {
            if (waiting.remove(key) == null) {
                givenUp.remove(key);
            }
        }

        boolean isEmpty() {
            return waiting.isEmpty() && givenUp.isEmpty();
        }

        /** The author restarted: every object is due at once, its tries counted afresh. */
        void countTriesAfresh() {
            waiting.replaceAll((key, h) -> new Held(h.version(), 0, Long.MIN_VALUE));
            givenUp.forEach((key, h) -> waiting.put(key, new Held(h.version(), 0, Long.MIN_VALUE)));
            givenUp.clear();
        }
    }

    private final Cdb cdb;
    private final SealStore seals;
    private final long minAgeMillis;
    /**
     * By author: what was taken under its tag and whose seal has not come. A key taken again under
     * another author's tag stays under the first until a look-up finds its version replaced.
     */
    private final Map<String, AuthorObjects> byAuthor = new HashMap<>();
    /**
     * Every this many rounds, each tracked object is looked up, due or not, so what was sealed or
     * replaced meanwhile is forgotten; in the other rounds only the objects that may be due are
     * looked at. After an overload tens of thousands of objects wait for their seal, and those of a
     * dead author wait until it is back: looking each one up at every heartbeat was a tenth of the
     * sync thread, and walking them all still 3-6 % (docs/benchmarks.md, "A partition healing in a
     * large state").
     */
    static final int LOOK_AT_ALL_ROUNDS = 30;

    /** Authors heard in a new epoch since the last round: their tagged objects are due at once. */
    private final Set<String> restarted = new HashSet<>();
    private long givenUp;
    private long rounds;
    private long lookedUp;
    private long visited;

    /** @param minAgeMillis how old an unsealed object must be before it is returned to a live author (its seal is late by then) */
    ObjectReturns(Cdb cdb, SealStore seals, long minAgeMillis) {
        this.cdb = cdb;
        this.seals = seals;
        this.minAgeMillis = minAgeMillis;
    }

    /** An object merged under its author's pair tag. */
    void tookTagged(ObjectEntry e) {
        String author = e.version().node(); // SealedEntry.requiredAuthor of the version taken
        AuthorObjects objects = byAuthor.computeIfAbsent(author, a -> new AuthorObjects());
        objects.remove(e.key()); // a newer version of the same author's goes to the tail
        objects.waiting.put(e.key(), new Held(e.version(), 0, Long.MIN_VALUE));
    }

    /**
     * An author heard in a new epoch: what it sent before cannot be sealed by the heartbeats it will
     * no longer send. Its objects are due at once, with their tries counted afresh: the ones made
     * while it was away (to its old address, or to a key it no longer has) did not count.
     */
    void authorRestarted(String author) {
        if (byAuthor.containsKey(author)) {
            restarted.add(author);
        }
    }

    /**
     * The objects to hand back this round, by author (sorted): each still held at the version taken
     * under a tag, still without a seal, and older than the minimum age (the seal is late), or of an
     * author that restarted; whose author {@code alive} says is heard; and not handed back within
     * the minimum age. Forgets objects since sealed or replaced (those that may be due at once, the
     * rest every {@value #LOOK_AT_ALL_ROUNDS} rounds). After {@value #MAX_ATTEMPTS} tries in the
     * author's current life an object is no longer handed back (logged, one line per author and
     * round) until the author restarts. An author not heard costs a round nothing but the question.
     */
    Map<String, List<ObjectEntry>> due(long nowMillis, Predicate<String> alive) {
        Map<String, List<ObjectEntry>> out = new TreeMap<>();
        boolean lookAtAll = ++rounds % LOOK_AT_ALL_ROUNDS == 0;
        for (Iterator<Map.Entry<String, AuthorObjects>> authors = byAuthor.entrySet().iterator(); authors.hasNext(); ) {
            Map.Entry<String, AuthorObjects> a = authors.next();
            String author = a.getKey();
            AuthorObjects objects = a.getValue();
            boolean authorRestarted = !restarted.isEmpty() && restarted.contains(author);
            if (authorRestarted) {
                objects.countTriesAfresh();
            }
            boolean heard = alive.test(author);
            if (heard || lookAtAll) {
                List<ObjectEntry> handedBack = round(author, objects, heard, authorRestarted, lookAtAll, nowMillis);
                if (!handedBack.isEmpty()) {
                    out.put(author, handedBack);
                }
            }
            if (objects.isEmpty()) {
                authors.remove();
            }
        }
        restarted.clear();
        return out;
    }

    /**
     * The objects to hand back to {@code author} because it pulls from this node, whatever the
     * minimum age since they were last handed back: an author that pulls is catching up, and counts
     * a pull whose answers lack nothing it had missed as a step towards being ready (see
     * {@code CatchUp}), while the answers never carry these objects (this node cannot relay them
     * without their seal). Handed back with each of its pulls, a lost hand-back is followed by the
     * next within one pull round, not a minimum age later, after the author may have concluded it
     * holds everything. Only objects whose seal is late (older than the minimum age) or that were
     * handed back before; each hand-back counts as a try, as in a round.
     */
    List<ObjectEntry> dueOnPull(String author, long nowMillis) {
        AuthorObjects objects = byAuthor.get(author);
        if (objects == null) {
            return List.of();
        }
        List<ObjectEntry> out = round(author, objects, h -> h.lastSentMillis() != Long.MIN_VALUE || nowMillis - h.version().millis() >= minAgeMillis,
                false, nowMillis);
        if (objects.isEmpty()) {
            byAuthor.remove(author);
        }
        return out;
    }

    /** One author's part of a round: walks its objects from the head while they may be due (all of them when {@code lookAtAll}). */
    private List<ObjectEntry> round(String author, AuthorObjects objects, boolean heard, boolean authorRestarted, boolean lookAtAll, long nowMillis) {
        return round(author, objects, h -> heard && late(h, authorRestarted, nowMillis), lookAtAll, nowMillis);
    }

    /** One author's part of a round: walks its objects from the head while {@code due} says so and the share is not full. */
    private List<ObjectEntry> round(String author, AuthorObjects objects, Predicate<Held> due, boolean lookAtAll, long nowMillis) {
        List<ObjectEntry> out = new ArrayList<>();
        List<Map.Entry<ObjectKey, Held>> sentAgain = new ArrayList<>();
        int givenUpNow = 0;
        ObjectEntry firstGivenUp = null;
        for (Iterator<Map.Entry<ObjectKey, Held>> it = objects.waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ObjectKey, Held> t = it.next();
            Held h = t.getValue();
            boolean mayBeDue = out.size() < MAX_PER_ROUND && due.test(h);
            if (!mayBeDue && !lookAtAll) {
                break; // the share is full, or this one is not late yet and those behind it came later
            }
            visited++;
            Optional<ObjectEntry> held = lookUp(t.getKey(), h, it, nowMillis);
            if (held.isEmpty() || !mayBeDue) {
                continue; // forgotten, not durable yet, or looked up only to forget it if sealed or replaced
            }
            ObjectEntry e = held.get();
            it.remove();
            if (h.attempts() == MAX_ATTEMPTS) {
                objects.givenUp.put(t.getKey(), h); // the author's restart makes it due again
                givenUp++;
                if (givenUpNow++ == 0) {
                    firstGivenUp = e;
                }
                continue;
            }
            sentAgain.add(Map.entry(t.getKey(), new Held(h.version(), h.attempts() + 1, nowMillis)));
            out.add(e);
        }
        sentAgain.forEach(s -> objects.waiting.put(s.getKey(), s.getValue())); // to the tail: due again last
        if (givenUpNow > 0) {
            // one line per author and round: after an overload, thousands may be given up at once
            LOG.warnf("node %s gave up handing %s %s (version %s)%s back to its author %s after %d tries each: the author does not take them,"
                            + " so they stay here without their seal and cannot be relayed until the author restarts", cdb.localNode(),
                    firstGivenUp.deleted() ? "deleted object" : "object", firstGivenUp.key(), firstGivenUp.version(),
                    givenUpNow > 1 ? " and " + (givenUpNow - 1) + " more of its objects" : "", author, MAX_ATTEMPTS);
        }
        if (lookAtAll) {
            for (Iterator<Map.Entry<ObjectKey, Held>> it = objects.givenUp.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<ObjectKey, Held> t = it.next();
                visited++;
                lookUp(t.getKey(), t.getValue(), it, nowMillis);
            }
        }
        return out;
    }

    /**
     * What the CDB holds of a tracked object, if it is still there unsealed at the version taken;
     * otherwise empty, and the object is forgotten ({@code it.remove()}) when it was replaced or
     * sealed (relayable now), or was never made durable long after it was taken (its journal write
     * failed, and anti-entropy brings it again).
     */
    private Optional<ObjectEntry> lookUp(ObjectKey key, Held h, Iterator<?> it, long nowMillis) {
        lookedUp++;
        Optional<ObjectEntry> held = cdb.entry(key);
        boolean forget = held.isEmpty()
                ? nowMillis - h.version().millis() > 10 * minAgeMillis
                : !held.get().version().equals(h.version()) || seals.get(held.get()) != null;
        if (forget) {
            it.remove();
        }
        return forget ? Optional.empty() : held;
    }

    /** Whether an object's seal is late (or its author restarted) and it was not handed back within the minimum age. */
    private boolean late(Held h, boolean authorRestarted, long nowMillis) {
        if (!authorRestarted && nowMillis - h.version().millis() < minAgeMillis) {
            return false;
        }
        return h.lastSentMillis() == Long.MIN_VALUE || nowMillis - h.lastSentMillis() >= minAgeMillis;
    }

    /** Look-ups of the CDB and the seal store so far (what a round costs). */
    long lookedUp() {
        return lookedUp;
    }

    /** Tracked objects looked at by the rounds so far, looked up or not (what walking them costs). */
    long visited() {
        return visited;
    }

    /** Objects tracked: taken under tags and not sealed or replaced yet, as of the last look at each. */
    int tracked() {
        int n = 0;
        for (AuthorObjects objects : byAuthor.values()) {
            n += objects.waiting.size() + objects.givenUp.size();
        }
        return n;
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
