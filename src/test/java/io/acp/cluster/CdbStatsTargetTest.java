package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Stats merged through a kept {@link StatsTarget} land where a merge by key puts them, also after the object's holder was retired. */
class CdbStatsTargetTest {

    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm1");
    private final AtomicLong wall = new AtomicLong(1_764_000_000_000L);
    private final Cdb cdb = new Cdb("n1", new HybridClock(wall::get), ObjectLog.NONE, 5, Duration.ofSeconds(5));

    private StatsEntry sample(ObjectKey key, double cpu, long millisFromNow) {
        return new StatsEntry(key, "n2", Map.of("cpu", cpu), new Version(HybridClock.fromMillis(wall.get() + millisFromNow), "n2"));
    }

    @Test
    void samplesThroughATargetAreTakenOrRefusedAsByKeyAndTheHolderIsFoundOnce() {
        StatsTarget target = new StatsTarget(VM);
        assertThat(cdb.mergeFrom(sample(VM, 1, 0), target)).isEqualTo(MergeOutcome.TAKEN);
        ObjectReports holder = target.reports;
        assertThat(holder).isNotNull();
        assertThat(cdb.mergeFrom(sample(VM, 2, 10), target)).isEqualTo(MergeOutcome.TAKEN);
        assertThat(target.reports).isSameAs(holder);
        assertThat(cdb.mergeFrom(sample(VM, 0, -10), target)).as("older than the latest").isEqualTo(MergeOutcome.STALE);
        assertThat(cdb.stats(VM, "n2")).singleElement().satisfies(s -> assertThat(s.values().get("cpu")).isEqualTo(2.0));
        assertThat(cdb.statsHistory(VM, "n2")).hasSize(2);
    }

    @Test
    void aSampleTooFarAheadOrOfAnotherKeyLeavesNoTrace() {
        StatsTarget target = new StatsTarget(VM);
        assertThat(cdb.mergeFrom(sample(VM, 1, 60_000), target)).isEqualTo(MergeOutcome.TOO_FAR_AHEAD);
        assertThat(target.reports).isNull();
        ObjectKey other = ObjectKey.of(ObjectType.SYSTEM, "vm2");
        assertThatThrownBy(() -> cdb.mergeFrom(sample(other, 1, 0), target)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("system/vm2").hasMessageContaining("target of system/vm1");
        assertThat(cdb.reportedKeys(ObjectType.SYSTEM)).isEmpty();
        assertThat(cdb.stats(other, null)).isEmpty();
    }

    @Test
    void afterItsHolderIsRetiredATargetFindsTheNewOne() {
        cdb.putObject(VM, null, Json.object(), null).await().atMost(Duration.ofSeconds(5));
        StatsTarget target = new StatsTarget(VM);
        assertThat(cdb.mergeFrom(sample(VM, 1, 0), target)).isEqualTo(MergeOutcome.TAKEN);
        ObjectReports before = target.reports;
        wall.addAndGet(1_000);
        cdb.deleteObject(VM).await().atMost(Duration.ofSeconds(5));
        assertThat(cdb.stats(VM, null)).as("the delete drops the reports not newer than it").isEmpty();
        wall.addAndGet(1_000);
        assertThat(cdb.collectTombstones(wall.get())).isEqualTo(1);
        assertThat(before.retired).as("an empty holder goes with its collected tombstone").isTrue();

        assertThat(cdb.mergeFrom(sample(VM, 7, 0), target)).isEqualTo(MergeOutcome.TAKEN);
        assertThat(target.reports).isNotSameAs(before);
        assertThat(target.reports.retired).isFalse();
        assertThat(cdb.stats(VM, "n2")).singleElement().satisfies(s -> assertThat(s.values().get("cpu")).isEqualTo(7.0));
        assertThat(cdb.reportedKeys(ObjectType.SYSTEM)).containsExactly(VM);
    }
}
