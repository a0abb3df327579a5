package io.acp.hypervisor.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * Reads through a VMM's monitor with a bound: a read that hangs (a VMM stopped or stuck on its
 * storage) holds its caller for the bound only; that domain gets no further read until it
 * returns; the connection it hangs on is left to it and closed once it returns, and the next read
 * opens a fresh one. The connections here are numbers; the libvirt calls themselves run against
 * real QEMU in QemuHungMonitorIT.
 */
class MonitorReadsTest {

    private static final Duration BOUND = Duration.ofMillis(100);

    private final AtomicInteger opened = new AtomicInteger();
    private final List<Integer> closed = new CopyOnWriteArrayList<>();
    private final MonitorReads<Integer> reads = new MonitorReads<>(BOUND, opened::incrementAndGet, closed::add, "node n1 (test)");

    @AfterEach
    void close() {
        reads.close();
    }

    @Test
    void readsThatAnswerInTimeShareOneConnection() throws Exception {
        assertThat(reads.read("a", c -> "a on " + c)).contains("a on 1");
        assertThat(reads.read("b", c -> "b on " + c)).contains("b on 1");
        assertThat(reads.read("a", c -> null)).as("a domain gone").isEmpty();
        assertThat(opened).hasValue(1);
        assertThat(closed).isEmpty();
        assertThat(reads.waitsFor("a")).isFalse();
        assertThat(reads.waitsFor("b")).isFalse();
    }

    @Test
    void aHungReadHoldsItsCallerForTheBoundOnlyAndKeepsItsConnectionUntilItReturns() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        AtomicInteger readsOfA = new AtomicInteger();
        MonitorReads.Read<Integer, String> readOfA = c -> {
            readsOfA.incrementAndGet();
            try {
                hung.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late on " + c;
        };

        long t0 = System.nanoTime();
        Optional<String> first = reads.read("a", readOfA);
        Duration waited = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(first).as("a read that outlived the bound").isEmpty();
        assertThat(waited).as("how long the caller waited").isLessThan(Duration.ofSeconds(10));
        assertThat(reads.waitsFor("a")).as("a's VMM does not answer").isTrue();
        assertThat(reads.waitsFor("b")).isFalse();
        assertThat(reads.read("a", readOfA)).as("a domain whose read still waits").isEmpty();
        assertThat(readsOfA).as("reads tried of that domain").hasValue(1);
        assertThat(reads.read("b", c -> "b on " + c)).as("another domain, on a fresh connection").contains("b on 2");
        assertThat(closed).as("the hung read still holds connection 1").isEmpty();

        hung.countDown(); // the VMM answers again
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reads.waitsFor("a") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(reads.waitsFor("a")).as("a's VMM answers again").isFalse();
        assertThat(closed).as("the connection the hung read kept, closed once it returned").containsExactly(1);
        assertThat(reads.read("a", c -> "a on " + c)).as("the domain read again").contains("a on 2");
        assertThat(opened).hasValue(2);
    }

    /**
     * The reads of several domains, started together, overlap: each of these waits until all three
     * have started, which one started after the other's answer never sees (it would outlive the
     * bound, as a hung VMM's does).
     */
    @Test
    void readsStartedTogetherRunAtOnceAndEachAnswersOnItsOwn() throws Exception {
        CountDownLatch allStarted = new CountDownLatch(3);
        MonitorReads.Read<Integer, String> meeting = c -> {
            allStarted.countDown();
            try {
                return allStarted.await(10, TimeUnit.SECONDS) ? "met on " + c : "alone";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        };
        var a = reads.start("a", meeting);
        var b = reads.start("b", meeting);
        var c = reads.start("c", meeting);

        assertThat(reads.answer(a)).contains("met on 1");
        assertThat(reads.answer(b)).contains("met on 1");
        assertThat(reads.answer(c)).contains("met on 1");
        assertThat(opened).as("one connection for the three").hasValue(1);
        assertThat(List.of("a", "b", "c")).noneMatch(reads::waitsFor);
    }

    /**
     * One hung VMM among reads started together: only its read is given up, at the bound from its
     * start; the others answer, and reads started after it go to a fresh connection.
     */
    @Test
    void aHungReadAmongReadsStartedTogetherIsTheOnlyOneGivenUp() throws Exception {
        CountDownLatch hung = new CountDownLatch(1);
        var a = reads.start("a", c -> "a on " + c);
        var stuck = reads.start("stuck", c -> {
            try {
                hung.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "late";
        });
        var b = reads.start("b", c -> "b on " + c);

        assertThat(reads.answer(a)).contains("a on 1");
        assertThat(reads.answer(stuck)).as("the hung VMM's read").isEmpty();
        assertThat(reads.answer(b)).as("a read started with the hung one, answered in time").contains("b on 1");
        assertThat(reads.waitsFor("stuck")).isTrue();
        assertThat(reads.waitsFor("a") || reads.waitsFor("b")).isFalse();
        assertThat(reads.read("a", c -> "a on " + c)).as("the next read, on a fresh connection").contains("a on 2");
        hung.countDown();
    }

    /**
     * A read that fails while another is under way on the same connection: the connection is let
     * go (new reads open another) but closed only once that other read has returned, never under it.
     */
    @Test
    void aConnectionLetGoIsClosedOnlyOnceNoReadIsUnderWayOnIt() throws Exception {
        LibvirtException refused = refusal();
        CountDownLatch slow = new CountDownLatch(1);
        var underWay = reads.start("a", c -> {
            try {
                slow.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "a on " + c;
        });
        var failing = reads.start("b", c -> {
            throw refused;
        });

        assertThatThrownBy(() -> reads.answer(failing)).isSameAs(refused);
        assertThat(closed).as("connection 1, while a's read is under way on it").isEmpty();
        assertThat(reads.read("c", c -> "c on " + c)).as("a read after the failure").contains("c on 2");

        slow.countDown();
        assertThat(reads.answer(underWay)).contains("a on 1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(closed).as("connection 1, once its last read returned").containsExactly(1);
    }

    @Test
    void aFailedReadIsThrownAsItCameAndItsConnectionReplaced() throws Exception {
        LibvirtException refused = refusal();
        assertThatThrownBy(() -> reads.read("a", c -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(closed).containsExactly(1);
        assertThat(reads.waitsFor("a")).as("a read that failed is not a VMM that hangs").isFalse();
        assertThat(reads.read("a", c -> "a on " + c)).contains("a on 2");
    }

    /** A refusal as libvirt makes one: a look-up of a domain the test driver does not have. */
    private static LibvirtException refusal() throws LibvirtException {
        Connect c = new Connect("test:///default");
        try {
            c.domainLookupByName("no-such-domain-" + ProcessHandle.current().pid());
            throw new IllegalStateException("the test driver found a domain it does not have");
        } catch (LibvirtException e) {
            return e;
        } finally {
            c.close();
        }
    }
}
