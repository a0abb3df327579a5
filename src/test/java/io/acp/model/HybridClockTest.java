package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HybridClockTest {

    private final AtomicLong wall = new AtomicLong(1_764_000_000_000L);
    private final HybridClock clock = new HybridClock(wall::get);

    @Test
    void readingsFollowTheWallClock() {
        long a = clock.now();
        wall.addAndGet(5);
        long b = clock.now();

        assertThat(HybridClock.physicalMillis(a)).isEqualTo(1_764_000_000_000L);
        assertThat(HybridClock.physicalMillis(b)).isEqualTo(1_764_000_000_005L);
        assertThat(b).isEqualTo(HybridClock.fromMillis(1_764_000_000_005L));
    }

    @Test
    void staysMonotonicWhenTheWallClockGoesBackwards() {
        long before = clock.now();
        wall.addAndGet(-60_000);
        long after1 = clock.now();
        long after2 = clock.now();

        assertThat(after1).isGreaterThan(before);
        assertThat(after2).isGreaterThan(after1);
        assertThat(HybridClock.physicalMillis(after2)).as("logical counter carries on, physical part holds").isEqualTo(1_764_000_000_000L);
    }

    @Test
    void readingsWithinOneMillisecondCountUp() {
        long a = clock.now();
        long b = clock.now();
        assertThat(b).isEqualTo(a + 1);
    }

    @Test
    void observeMakesTheNextReadingHigher() {
        long remote = HybridClock.fromMillis(wall.get() + 10_000) + 7;
        clock.observe(remote);

        assertThat(clock.now()).isEqualTo(remote + 1);
    }

    @Test
    void observingAnOlderReadingChangesNothing() {
        long a = clock.now();
        clock.observe(HybridClock.fromMillis(wall.get() - 1_000));
        assertThat(clock.now()).isEqualTo(a + 1);
    }

    @Test
    void aReadingTooFarAheadOfTheWallClockIsNotWithin() {
        clock.now();
        long ahead = HybridClock.fromMillis(wall.get() + 5_001);

        assertThat(clock.isWithin(ahead, 5_000)).isFalse();
        assertThat(clock.isWithin(HybridClock.fromMillis(wall.get() + 5_000), 5_000)).isTrue();
    }

    @Test
    void aReadingTheClockHasPassedIsWithinWithoutReadingTheWallClock() {
        AtomicLong wallReads = new AtomicLong();
        HybridClock counted = new HybridClock(() -> {
            wallReads.incrementAndGet();
            return wall.get();
        });
        long given = counted.now();
        long observed = HybridClock.fromMillis(wall.get() + 3_000);
        counted.observe(observed);
        long readsBefore = wallReads.get();

        assertThat(counted.isWithin(given - 1_000, 5_000)).isTrue();
        assertThat(counted.isWithin(observed, 5_000)).isTrue();
        assertThat(wallReads.get()).as("no wall-clock read for readings at or below the clock's last").isEqualTo(readsBefore);

        assertThat(counted.isWithin(HybridClock.fromMillis(wall.get() + 6_000), 5_000)).as("past the clock's last: checked against the wall").isFalse();
        assertThat(wallReads.get()).isEqualTo(readsBefore + 1);
    }

    @Test
    void afterTheWallClockStepsBackAReadingUpToTheClocksOwnIsWithin() {
        long given = clock.now();
        wall.addAndGet(-60_000);

        assertThat(clock.isWithin(given, 5_000)).as("this node's own next write is later still").isTrue();
        assertThat(clock.isWithin(given + HybridClock.fromMillis(1), 5_000)).as("beyond it: 60 s ahead of the wall now").isFalse();
    }

    @Test
    void logicalCounterOverflowCarriesIntoTheMilliseconds() {
        long ms = wall.get();
        clock.observe(HybridClock.fromMillis(ms) + 0xFFFE);
        long last = clock.now();
        long carried = clock.now();

        assertThat(last).isEqualTo(HybridClock.fromMillis(ms) + 0xFFFF);
        assertThat(carried).isGreaterThan(last);
        assertThat(HybridClock.physicalMillis(carried)).isEqualTo(ms + 1);
        assertThat(carried & 0xFFFF).isZero();

        wall.set(ms + 1);
        assertThat(clock.now()).as("wall catching up does not repeat a reading").isEqualTo(carried + 1);
    }

    @Test
    void concurrentReadingsAreUnique() throws Exception {
        HybridClock shared = new HybridClock(() -> 1_000L);
        int perThread = 50_000;
        long[][] seen = new long[2][perThread];
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    seen[id][i] = shared.now();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        java.util.Set<Long> all = new java.util.HashSet<>();
        for (long[] s : seen) {
            for (int i = 0; i < perThread; i++) {
                all.add(s[i]);
                if (i > 0) {
                    assertThat(s[i]).isGreaterThan(s[i - 1]);
                }
            }
        }
        assertThat(all).hasSize(2 * perThread);
    }
}
