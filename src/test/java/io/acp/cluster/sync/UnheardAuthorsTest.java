package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UnheardAuthorsTest {

    @Test
    void keepsTheOldestLifeAnAuthorsReportsCameIn() {
        UnheardAuthors a = new UnheardAuthors();
        a.tookReports("n1", 20, 1_000);
        a.tookReports("n1", 10, 1_100); // a delayed delta of an older life
        a.tookReports("n1", 30, 1_200);
        assertThat(a.heard("n1")).isEqualTo(OptionalLong.of(10));
        assertThat(a.heard("n1")).as("membership knows it from the first heartbeat on").isEmpty();
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void anAuthorIsSilentFromItsLastTaggedDeltaOn() {
        UnheardAuthors a = new UnheardAuthors();
        a.tookReports("n1", 10, 1_000);
        a.tookReports("n2", 10, 1_000);
        a.tookReports("n2", 10, 2_000);
        assertThat(a.silentFor(3_999, 3_000)).isEmpty();
        assertThat(a.silentFor(4_000, 3_000)).containsExactly("n1");
        assertThat(a.silentFor(4_000, 3_000)).as("given once").isEmpty();
        assertThat(a.silentFor(5_000, 3_000)).containsExactly("n2");
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void anAuthorNeverTakenFromIsNothingToForget() {
        UnheardAuthors a = new UnheardAuthors();
        assertThat(a.heard("n9")).isEmpty();
        assertThat(a.silentFor(Long.MAX_VALUE, 0)).isEmpty();
    }
}
