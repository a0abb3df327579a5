package io.acp.storage.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A probe that never answers times out, keeps only its own key busy, and frees it once it returns;
 * a shared (read-only) probe that meets another of its key answers with that one's answer.
 */
class ProbesTest {

    private static final Duration SHORT = Duration.ofMillis(200);

    @Test
    void aHangingProbeTimesOutAndBlocksOnlyItsOwnKey() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Probes probes = new Probes()) {
            assertThatThrownBy(() -> probes.call("pool:nfs", "statvfs of pool nfs", SHORT, () -> release.await(1, TimeUnit.MINUTES)).await().indefinitely())
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                        assertThat(e.getMessage()).isEqualTo("statvfs of pool nfs did not answer within 200 ms (hung mount or device?)");
                    });
            // The stuck thread still holds the key: the next probe of it fails at once instead of stranding another thread.
            assertThatThrownBy(() -> probes.call("pool:nfs", "statvfs of pool nfs", SHORT, () -> true).await().atMost(Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).startsWith("statvfs of pool nfs still has not answered after ");
                    });
            // Other keys are not held up.
            assertThat(probes.call("pool:local", "statvfs of pool local", SHORT, () -> 42).await().atMost(Duration.ofSeconds(5))).isEqualTo(42);
            assertThat(probes.busy()).isEqualTo(1);

            release.countDown();
            io.acp.testing.Eventually.await(Duration.ofSeconds(5), () -> probes.busy() == 0, "the released probe frees its key");
            assertThat(probes.call("pool:nfs", "statvfs of pool nfs", SHORT, () -> "back").await().atMost(Duration.ofSeconds(5))).isEqualTo("back");
        }
    }

    @Test
    void aFailingProbeAnswersItsErrorAndFreesItsKey() {
        try (Probes probes = new Probes()) {
            assertThatThrownBy(() -> probes.call("k", "x", SHORT, () -> {
                throw new AcpException(ErrorCode.UNAVAILABLE, "directory gone");
            }).await().atMost(Duration.ofSeconds(5))).hasMessage("directory gone");
            assertThat(probes.busy()).isZero();
        }
    }

    @Test
    void aSharedProbeThatMeetsAnotherOfItsKeyGetsTheSameAnswerFromOneCall() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        Duration timeout = Duration.ofSeconds(10);
        try (Probes probes = new Probes()) {
            CompletableFuture<String> first = probes.shared("volumes:p1", "listing volumes of pool p1", timeout, () -> {
                calls.incrementAndGet();
                entered.countDown();
                release.await(30, TimeUnit.SECONDS);
                return "disk1";
            }).subscribeAsCompletionStage();
            assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> second = probes.shared("volumes:p1", "listing volumes of pool p1", timeout, () -> {
                calls.incrementAndGet();
                return "never";
            }).subscribeAsCompletionStage();
            // a call that is not shared still finds the key busy
            assertThatThrownBy(() -> probes.call("volumes:p1", "listing volumes of pool p1", timeout, () -> "x").await().atMost(Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(Probes.Busy.class, e -> assertThat(e.overlapping()).isTrue());
            assertThat(second).isNotDone();

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("disk1");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("disk1");
            assertThat(calls).hasValue(1);
            assertThat(probes.busy()).isZero();
        }
    }

    @Test
    void aSharedProbeThatMeetsAHungOneFailsAsAHang() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Probes probes = new Probes()) {
            assertThatThrownBy(() -> probes.shared("volumes:nfs", "listing volumes of pool nfs", SHORT, () -> release.await(1, TimeUnit.MINUTES))
                    .await().indefinitely()).isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
            // past the timeout the earlier call is a hang: the next caller does not wait for it
            assertThatThrownBy(() -> probes.shared("volumes:nfs", "listing volumes of pool nfs", SHORT, () -> true).await().atMost(Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(Probes.Busy.class, e -> {
                        assertThat(e.overlapping()).isFalse();
                        assertThat(e.getMessage()).startsWith("listing volumes of pool nfs still has not answered after ");
                    });
            release.countDown();
            io.acp.testing.Eventually.await(Duration.ofSeconds(5), () -> probes.busy() == 0, "the released probe frees its key");
        }
    }
}
