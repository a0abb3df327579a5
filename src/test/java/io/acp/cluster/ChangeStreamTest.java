package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChangeStreamTest {

    private static final ObjectKey NODE1 = ObjectKey.of(ObjectType.NODE, "n1");
    private static final ObjectKey VLAN = ObjectKey.of(ObjectType.NETWORK, "v100");
    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm-1");

    private final Cdb cdb = new Cdb("n1", new HybridClock(), ObjectLog.NONE, 10);

    @AfterEach
    void close() {
        cdb.close();
    }

    /** A plain Reactive Streams subscriber that records everything and requests only when told. */
    static class Recorder implements Flow.Subscriber<Entry> {
        final List<Entry> items = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch terminated = new CountDownLatch(1);
        volatile Flow.Subscription subscription;
        volatile Throwable error;
        volatile boolean completed;
        private final long initialDemand;

        Recorder(long initialDemand) {
            this.initialDemand = initialDemand;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (initialDemand > 0) {
                s.request(initialDemand);
            }
        }

        @Override
        public void onNext(Entry e) {
            items.add(e);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            terminated.countDown();
        }

        @Override
        public void onComplete() {
            completed = true;
            terminated.countDown();
        }

        List<Entry> snapshot() {
            synchronized (items) {
                return new ArrayList<>(items);
            }
        }
    }

    private Recorder watch(ChangeFilter filter, long demand) {
        Recorder r = new Recorder(demand);
        cdb.changes(filter).subscribe(r);
        return r;
    }

    private MetaEntry remoteMeta(ObjectKey key, String node) {
        return new MetaEntry(key, node, Json.object().put("state", "up"), new Version(cdb.clock().now(), node));
    }

    @Test
    void aStreamOfSeriesCarriesAPeersSampleOnlyWhenItStartsASeries() {
        Recorder series = new Recorder(Long.MAX_VALUE);
        cdb.changesOfSeries(ChangeFilter.ALL).subscribe(series);
        Recorder all = watch(ChangeFilter.ALL, Long.MAX_VALUE);

        StatsEntry first = remoteStats(VM, "n2", 1.0);
        StatsEntry second = remoteStats(VM, "n2", 2.0);
        StatsEntry otherSeries = remoteStats(VLAN, "n2", 3.0);
        Entry mine1 = cdb.putStats(VM, Map.of("cpu", 0.1));
        Entry mine2 = cdb.putStats(VM, Map.of("cpu", 0.2));
        MetaEntry meta = remoteMeta(VM, "n2");
        for (Entry e : List.of(first, second, otherSeries, meta)) {
            assertThat(cdb.merge(e)).isTrue();
        }

        assertThat(series.snapshot()).containsExactly(mine1, mine2, first, otherSeries, meta);
        assertThat(all.snapshot()).containsExactly(mine1, mine2, first, second, otherSeries, meta);

        // a delete drops the series; the next sample starts a new one
        Entry vm = cdb.putObject(VM, null, Json.object(), null).await().atMost(Duration.ofSeconds(5));
        Entry tomb = cdb.deleteObject(VM).await().atMost(Duration.ofSeconds(5));
        StatsEntry afterDelete = remoteStats(VM, "n2", 4.0);
        assertThat(cdb.merge(afterDelete)).isTrue();
        assertThat(series.snapshot()).endsWith(vm, tomb, afterDelete);
    }

    private StatsEntry remoteStats(ObjectKey key, String node, double value) {
        return new StatsEntry(key, node, Map.of("cpu", value), new Version(cdb.clock().now(), node));
    }

    @Test
    void filtersByKindTypeIdAndNode() {
        Recorder all = watch(ChangeFilter.ALL, Long.MAX_VALUE);
        Recorder statsOnly = watch(new ChangeFilter(Set.of(Entry.Kind.STATS), null, null, null), Long.MAX_VALUE);
        Recorder objectsAndMeta = watch(new ChangeFilter(EnumSet.of(Entry.Kind.OBJECT, Entry.Kind.META), null, null, null), Long.MAX_VALUE);
        Recorder networks = watch(ChangeFilter.ofType(ObjectType.NETWORK), Long.MAX_VALUE);
        Recorder vm = watch(new ChangeFilter(null, ObjectType.SYSTEM, "vm-1", null), Long.MAX_VALUE);
        Recorder idOnly = watch(new ChangeFilter(null, null, "n1", null), Long.MAX_VALUE);
        Recorder fromN2 = watch(new ChangeFilter(null, null, null, "n2"), Long.MAX_VALUE);

        Entry obj = cdb.putObject(VLAN, "vlan", Json.object(), null).await().atMost(Duration.ofSeconds(5));
        Entry stats = cdb.putStats(NODE1, Map.of("cpu", 0.5));
        Entry meta = cdb.putMeta(VM, Json.object().put("state", "running"));
        Entry theirs = remoteMeta(VLAN, "n2");
        cdb.merge(theirs);

        assertThat(all.snapshot()).containsExactly(obj, stats, meta, theirs);
        assertThat(statsOnly.snapshot()).containsExactly(stats);
        assertThat(objectsAndMeta.snapshot()).containsExactly(obj, meta, theirs);
        assertThat(networks.snapshot()).containsExactly(obj, theirs);
        assertThat(vm.snapshot()).containsExactly(meta);
        assertThat(idOnly.snapshot()).containsExactly(stats);
        assertThat(fromN2.snapshot()).containsExactly(theirs);
    }

    @Test
    void subscriberWithDemandSeesEveryChangeInOrder() {
        Recorder r = watch(ChangeFilter.ALL, Long.MAX_VALUE);
        List<Entry> written = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            written.add(cdb.putStats(ObjectKey.of(ObjectType.NODE, "n" + (i % 7)), Map.of("i", (double) i)));
        }
        assertThat(r.snapshot()).containsExactlyElementsOf(written);
    }

    @Test
    void boundedDemandIsRespected() {
        Recorder r = watch(ChangeFilter.ALL, 3);
        for (int i = 0; i < 10; i++) {
            cdb.putStats(ObjectKey.of(ObjectType.NODE, "n" + i), Map.of("i", (double) i));
        }
        assertThat(r.snapshot()).hasSize(3);
        r.subscription.request(2);
        assertThat(r.snapshot()).hasSize(5);
        assertThat(r.snapshot()).extracting(e -> e.key().id()).containsExactly("n0", "n1", "n2", "n3", "n4");
    }

    @Test
    void slowSubscriberGetsTheLatestValuePerKeyNotAQueue() {
        Recorder r = watch(ChangeFilter.ALL, 1);
        Map<ObjectKey, StatsEntry> latest = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + (i % 100));
            latest.put(key, cdb.putStats(key, Map.of("i", (double) i)));
        }
        assertThat(r.snapshot()).hasSize(1);
        ChangeSubscription s = onlySubscription();
        assertThat(s.pending()).as("one pending change per key").isEqualTo(100);
        assertThat(s.coalesced()).isEqualTo(100_000 - 1 - 100);

        r.subscription.request(Long.MAX_VALUE);

        List<Entry> after = r.snapshot().subList(1, r.snapshot().size());
        assertThat(after).hasSize(100);
        assertThat(after).containsExactlyInAnyOrderElementsOf(latest.values());
        assertThat(s.pending()).isZero();

        StatsEntry next = cdb.putStats(VM, Map.of("x", 1.0));
        assertThat(r.snapshot()).last().isEqualTo(next);
    }

    @Test
    void aSlowSubscriberNeverSeesAnObjectGoBackWhenItsWritersAlternate() {
        Recorder r = watch(ChangeFilter.ofType(ObjectType.NETWORK), 0);
        // n3, then n2, then n3 again write v100: each version newer than the last, as merged
        ObjectEntry first = remoteObject(VLAN, "n3");
        ObjectEntry second = remoteObject(VLAN, "n2");
        ObjectEntry third = remoteObject(VLAN, "n3");
        for (ObjectEntry e : List.of(first, second, third)) {
            assertThat(cdb.merge(e)).as("merge of %s", e.version()).isTrue();
        }

        r.subscription.request(Long.MAX_VALUE);

        assertThat(r.snapshot()).as("what waited for the subscriber: the latest version only").containsExactly(third);
        assertThat(onlySubscription().coalesced()).isEqualTo(2);
    }

    private ObjectEntry remoteObject(ObjectKey key, String node) {
        return new ObjectEntry(key, "vlan", Json.object(), new Version(cdb.clock().now(), node), false);
    }

    @Test
    void subscriberWithDemandThatStallsHoldsABoundedQueue() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Recorder r = new Recorder(Long.MAX_VALUE) {
            @Override
            public void onNext(Entry e) {
                super.onNext(e);
                if (items.size() == 1) {
                    stalled.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        cdb.changes(ChangeFilter.ALL).subscribe(r);
        // The first write's thread delivers and then stalls inside onNext, holding the emission.
        Thread first = new Thread(() -> cdb.putStats(VM, Map.of("x", 0.0)));
        first.start();
        assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();

        Map<ObjectKey, StatsEntry> latest = new HashMap<>();
        for (int i = 0; i < 100_000; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + (i % 100));
            latest.put(key, cdb.putStats(key, Map.of("i", (double) i)));
        }
        assertThat(onlySubscription().pending()).as("FIFO limit plus one per key").isLessThanOrEqualTo(ChangeSubscription.FIFO_LIMIT + 100);

        release.countDown();
        first.join(10_000);

        Map<ObjectKey, Entry> lastSeen = new HashMap<>();
        r.snapshot().forEach(e -> lastSeen.put(e.key(), e));
        assertThat(lastSeen.values()).containsAll(latest.values());
        assertThat(onlySubscription().pending()).isZero();
    }

    private ChangeSubscription onlySubscription() {
        assertThat(cdb.subscriberCount()).isEqualTo(1);
        return cdb.subscriptions().get(0);
    }

    @Test
    void cancelRemovesTheSubscriber() {
        Recorder r = watch(ChangeFilter.ALL, Long.MAX_VALUE);
        cdb.putStats(NODE1, Map.of("cpu", 1.0));
        assertThat(cdb.subscriberCount()).isEqualTo(1);

        r.subscription.cancel();
        cdb.putStats(NODE1, Map.of("cpu", 2.0));

        assertThat(cdb.subscriberCount()).isZero();
        assertThat(r.snapshot()).hasSize(1);
        assertThat(r.completed).isFalse();
        assertThat(r.error).isNull();
    }

    @Test
    void closeCompletesStreams() throws Exception {
        Recorder withDemand = watch(ChangeFilter.ALL, Long.MAX_VALUE);
        Recorder without = watch(ChangeFilter.ALL, 0);
        cdb.putStats(NODE1, Map.of("cpu", 1.0));

        cdb.close();

        assertThat(withDemand.terminated.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(without.terminated.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(withDemand.completed).isTrue();
        assertThat(without.completed).as("completion needs no demand").isTrue();
        assertThat(cdb.subscriberCount()).isZero();

        Recorder late = watch(ChangeFilter.ALL, 1);
        assertThat(late.completed).as("subscribing to a closed CDB completes at once").isTrue();
        assertThat(cdb.subscriberCount()).isZero();
    }

    @Test
    void nonPositiveRequestEndsTheStreamWithAnError() {
        Recorder r = watch(ChangeFilter.ALL, 0);
        r.subscription.request(-1);

        assertThat(r.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
        assertThat(cdb.subscriberCount()).isZero();
        cdb.putStats(NODE1, Map.of("cpu", 1.0));
        assertThat(r.snapshot()).isEmpty();
    }

    @Test
    void subscriberThatThrowsGetsAnErrorAndIsRemoved() {
        Recorder r = new Recorder(Long.MAX_VALUE) {
            @Override
            public void onNext(Entry e) {
                super.onNext(e);
                throw new IllegalStateException("boom");
            }
        };
        cdb.changes(ChangeFilter.ALL).subscribe(r);

        cdb.putStats(NODE1, Map.of("cpu", 1.0));
        cdb.putStats(NODE1, Map.of("cpu", 2.0));

        assertThat(r.snapshot()).hasSize(1);
        assertThat(r.error).hasMessage("boom");
        assertThat(cdb.subscriberCount()).isZero();
    }

    @Test
    void subscriberMayWriteToTheCdbFromOnNext() {
        // A monitor that raises meta on every stats sample: emission runs outside the CDB's locks.
        List<Entry> seen = new ArrayList<>();
        cdb.changes(ChangeFilter.ALL).subscribe().with(e -> {
            seen.add(e);
            if (e instanceof StatsEntry s) {
                cdb.putMeta(s.key(), Json.object().put("seen", true));
            }
        });
        StatsEntry s = cdb.putStats(NODE1, Map.of("cpu", 1.0));

        assertThat(seen).hasSize(2);
        assertThat(seen.get(0)).isEqualTo(s);
        assertThat(seen.get(1)).isInstanceOf(MetaEntry.class);
    }

    @Test
    void concurrentWritersAndASubscriberOnAnotherThreadEndOnTheLatestValues() throws Exception {
        Recorder r = watch(ChangeFilter.ALL, 0);
        Thread consumer = new Thread(() -> {
            while (r.terminated.getCount() > 0) {
                r.subscription.request(16);
                Thread.onSpinWait();
            }
        });
        consumer.start();
        int perWriter = 20_000;
        Thread[] writers = new Thread[2];
        for (int w = 0; w < 2; w++) {
            writers[w] = new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    // Both writers write the same (object, node) slots with versions from one clock, so
                    // they race; per slot the subscriber must still see versions only go up.
                    ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + (i % 50));
                    cdb.merge(new StatsEntry(key, "w", Map.of("i", (double) i), new Version(cdb.clock().now(), "w")));
                }
            });
            writers[w].start();
        }
        for (Thread t : writers) {
            t.join(60_000);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (onlySubscription().pending() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        cdb.close();
        consumer.join(10_000);

        Map<String, Version> lastSeen = new HashMap<>();
        for (Entry e : r.snapshot()) {
            String slot = e.key() + " " + e.node();
            Version before = lastSeen.put(slot, e.version());
            assertThat(before == null || e.version().isNewerThan(before)).as("%s went from %s to %s", slot, before, e.version()).isTrue();
        }
        assertThat(lastSeen).hasSize(50);
        for (int i = 0; i < 50; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
            assertThat(lastSeen.get(key + " w")).as("last change seen for %s", key).isEqualTo(cdb.stats(key, "w").get(0).version());
        }
    }
}

