package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LogLimitTest {

    @Test
    void theFirstEventIsLoggedAtOnceThenOneLinePerPeriodCoveringTheEventsBetween() {
        AtomicLong nanos = new AtomicLong(-5_000); // any start: System.nanoTime may be negative
        LogLimit limit = new LogLimit(Duration.ofSeconds(10), nanos::get);
        assertThat(limit.count()).as("the first event").isEqualTo(1);
        nanos.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(limit.count()).isZero();
        assertThat(limit.count()).isZero();
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limit.count()).as("this one and the two not logged").isEqualTo(3);
        assertThat(limit.count()).isZero();
        nanos.addAndGet(Duration.ofMinutes(5).toNanos());
        assertThat(limit.count()).as("a quiet spell starts a line at once").isEqualTo(2);
    }
}
