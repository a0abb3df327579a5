package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Entry;
import io.acp.model.EntryJson;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/**
 * Seeded property test of the merge rule: whatever order entries arrive in, with duplicates, every
 * CDB ends in the same state, the one the rule predicts, and no key's version ever goes back.
 */
class CdbMergeTest {

    private static final String[] WRITERS = {"n1", "n2", "n3", "n4"};
    private static final List<ObjectKey> KEYS = List.of(
            ObjectKey.of(ObjectType.NODE, "n1"), ObjectKey.of(ObjectType.NODE, "n2"),
            ObjectKey.of(ObjectType.NETWORK, "v100"), ObjectKey.of(ObjectType.NETWORK, "v200"),
            ObjectKey.of(ObjectType.STORAGE, "pool-a"), ObjectKey.of(ObjectType.SYSTEM, "vm-1"));
    private static final int REPLICAS = 4;
    private static final long START_MILLIS = 1_764_000_000_000L;

    @Test
    void everyDeliveryOrderConvergesToTheSameState() {
        for (long seed = 1; seed <= 40; seed++) {
            checkSeed(seed);
        }
    }

    private void checkSeed(long seed) {
        Random random = new Random(seed);
        List<Entry> written = generate(random, 300);
        String expected = dumpOf(oracle(written));

        for (int r = 0; r < REPLICAS; r++) {
            List<Entry> delivery = new ArrayList<>(written);
            for (int i = 0; i < written.size() / 3; i++) {
                delivery.add(written.get(random.nextInt(written.size())));
            }
            Collections.shuffle(delivery, random);

            // the writers' wall time: within the bound on how far ahead a received version may be
            Cdb replica = new Cdb("r" + r, new HybridClock(() -> START_MILLIS), ObjectLog.NONE, 10);
            MonotonicWatcher watcher = new MonotonicWatcher();
            storedHighWater.clear();
            replica.changes(ChangeFilter.ALL).subscribe(watcher);
            for (Entry e : delivery) {
                replica.merge(e);
                assertStoredVersionNotBelow(replica, e, seed);
            }

            assertThat(watcher.backwards).as("seed %d replica %d: versions seen going back", seed, r).isEmpty();
            assertThat(dump(replica)).as("seed %d replica %d", seed, r).isEqualTo(expected);
        }
    }

    /** Writers with their own clocks over a shared, jumpy wall clock; some writes observe others'. */
    private static List<Entry> generate(Random random, int count) {
        long[] wall = {START_MILLIS};
        Map<String, HybridClock> clocks = new HashMap<>();
        for (String w : WRITERS) {
            clocks.put(w, new HybridClock(() -> wall[0]));
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            wall[0] += random.nextInt(3) - 1; // also backwards
            String writer = WRITERS[random.nextInt(WRITERS.length)];
            HybridClock clock = clocks.get(writer);
            if (!out.isEmpty() && random.nextInt(4) == 0) {
                clock.observe(out.get(random.nextInt(out.size())).version().time());
            }
            Version v = new Version(random.nextInt(10) == 0 ? HybridClock.fromMillis(wall[0]) : clock.now(), writer); // some cross-node ties
            ObjectKey key = KEYS.get(random.nextInt(KEYS.size()));
            switch (random.nextInt(5)) {
                case 0 -> out.add(new ObjectEntry(key, subtypeOf(key), Json.object().put("i", i), v, false));
                case 1 -> out.add(new ObjectEntry(key, subtypeOf(key), Json.object(), v, true));
                case 2 -> out.add(new MetaEntry(key, writer, Json.object().put("i", i), v));
                default -> out.add(new StatsEntry(key, writer, Map.of("i", (double) i), v));
            }
        }
        return out;
    }

    private static String subtypeOf(ObjectKey key) {
        return switch (key.type()) {
            case NETWORK -> "vlan";
            case STORAGE -> "pool";
            default -> null;
        };
    }

    /** What the merge rule predicts: newest object per key; newest report per (key, node) newer than the newest delete. */
    private static Map<ObjectKey, List<Entry>> oracle(List<Entry> written) {
        Map<ObjectKey, ObjectEntry> objects = new HashMap<>();
        Map<ObjectKey, Version> deletedAt = new HashMap<>();
        for (Entry e : written) {
            if (e instanceof ObjectEntry o) {
                objects.merge(o.key(), o, (a, b) -> b.version().isNewerThan(a.version()) ? b : a);
                if (o.deleted()) {
                    deletedAt.merge(o.key(), o.version(), (a, b) -> b.isNewerThan(a) ? b : a);
                }
            }
        }
        Map<String, Entry> reports = new HashMap<>();
        for (Entry e : written) {
            if (!(e instanceof ObjectEntry) && e.version().isNewerThan(deletedAt.get(e.key()))) {
                reports.merge(e.kind() + " " + e.key() + " " + e.node(), e, (a, b) -> b.version().isNewerThan(a.version()) ? b : a);
            }
        }
        Map<ObjectKey, List<Entry>> state = new HashMap<>();
        for (ObjectKey key : KEYS) {
            List<Entry> entries = new ArrayList<>();
            if (objects.containsKey(key)) {
                entries.add(objects.get(key));
            }
            for (Entry.Kind kind : List.of(Entry.Kind.META, Entry.Kind.STATS)) {
                for (String w : WRITERS) {
                    Entry r = reports.get(kind + " " + key + " " + w);
                    if (r != null) {
                        entries.add(r);
                    }
                }
            }
            state.put(key, entries);
        }
        return state;
    }

    private static Map<ObjectKey, List<Entry>> stateOf(Cdb cdb) {
        Map<ObjectKey, List<Entry>> state = new HashMap<>();
        for (ObjectKey key : KEYS) {
            List<Entry> entries = new ArrayList<>();
            cdb.entry(key).ifPresent(entries::add);
            entries.addAll(cdb.meta(key, null));
            entries.addAll(cdb.stats(key, null));
            state.put(key, entries);
        }
        return state;
    }

    private static String dump(Cdb cdb) {
        return dumpOf(stateOf(cdb));
    }

    /** Canonical text: keys in a fixed order, entries in their JSON form. */
    private static String dumpOf(Map<ObjectKey, List<Entry>> state) {
        StringBuilder sb = new StringBuilder();
        for (ObjectKey key : KEYS) {
            sb.append(key).append('\n');
            for (Entry e : state.get(key)) {
                sb.append("  ").append(EntryJson.toJson(e)).append('\n');
            }
        }
        return sb.toString();
    }

    private final Map<String, Version> storedHighWater = new HashMap<>();

    private void assertStoredVersionNotBelow(Cdb cdb, Entry e, long seed) {
        Version now = switch (e.kind()) {
            case OBJECT -> cdb.entry(e.key()).map(ObjectEntry::version).orElse(null);
            case META -> cdb.meta(e.key(), e.node()).stream().findFirst().map(MetaEntry::version).orElse(null);
            case STATS -> cdb.stats(e.key(), e.node()).stream().findFirst().map(StatsEntry::version).orElse(null);
        };
        if (e.kind() == Entry.Kind.OBJECT) {
            String slot = cdb.localNode() + " " + e.key();
            Version before = storedHighWater.get(slot);
            assertThat(now).as("seed %d: stored version of %s went back", seed, slot).isNotNull();
            assertThat(before == null || !before.isNewerThan(now)).as("seed %d: stored version of %s went back", seed, slot).isTrue();
            storedHighWater.put(slot, now);
        }
    }

    /** Records any change whose version is not above the last one seen for its (kind, object, node). */
    private static final class MonotonicWatcher implements Flow.Subscriber<Entry> {
        final Map<String, Version> last = new HashMap<>();
        final List<String> backwards = new ArrayList<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Entry e) {
            String slot = e.kind() + " " + e.key() + (e.kind() == Entry.Kind.OBJECT ? "" : " " + e.node());
            Version before = last.put(slot, e.version());
            if (before != null && !e.version().isNewerThan(before)) {
                backwards.add(slot + ": " + before + " then " + e.version());
            }
        }

        @Override
        public void onError(Throwable t) {
            backwards.add("error " + t);
        }

        @Override
        public void onComplete() {
        }
    }
}
