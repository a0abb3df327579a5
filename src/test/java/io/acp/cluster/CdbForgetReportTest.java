package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import io.acp.model.Version;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A report the sync forgets (it held it without its author's seal when the author restarted) and
 * later takes back: gone from queries in between, back without a second change event at the same
 * version, and a newer version is a change again. Real in-memory CDB, real change stream.
 */
class CdbForgetReportTest {

    private static final ObjectKey KEY = ObjectKey.of(ObjectType.SYSTEM, "web");

    @Test
    void aForgottenReportComesBackAtItsVersionWithoutASecondChangeAndANewerOneIsAChange() {
        try (Cdb cdb = Cdb.inMemory("n2")) {
            List<Entry> seen = new CopyOnWriteArrayList<>();
            cdb.changes(ChangeFilter.ALL).subscribe().with(seen::add);
            MetaEntry meta = new MetaEntry(KEY, "n1", Json.object().put("state", "running"), new Version(cdb.clock().now(), "n1"));
            StatsEntry stats = new StatsEntry(KEY, "n1", StatsValues.of(new String[] {"cpu"}, new double[] {0.5}), new Version(cdb.clock().now(), "n1"));
            assertThat(cdb.mergeFrom(meta)).isEqualTo(MergeOutcome.TAKEN);
            assertThat(cdb.mergeFrom(stats)).isEqualTo(MergeOutcome.TAKEN);
            assertThat(seen).containsExactly(meta, stats);

            assertThat(cdb.forgetReport(meta)).isTrue();
            assertThat(cdb.forgetReport(stats)).isTrue();
            assertThat(cdb.forgetReport(meta)).as("already gone").isFalse();
            assertThat(cdb.meta(KEY, "n1")).isEmpty();
            assertThat(cdb.stats(KEY, "n1")).isEmpty();

            assertThat(cdb.mergeFrom(meta)).isEqualTo(MergeOutcome.RESTORED);
            assertThat(cdb.mergeFrom(stats)).isEqualTo(MergeOutcome.RESTORED);
            assertThat(cdb.meta(KEY, "n1")).containsExactly(meta);
            assertThat(cdb.stats(KEY, "n1")).containsExactly(stats);
            assertThat(seen).as("no second event for a version already seen").containsExactly(meta, stats);

            MetaEntry newer = new MetaEntry(KEY, "n1", Json.object().put("state", "stopped"), new Version(cdb.clock().now(), "n1"));
            assertThat(cdb.mergeFrom(newer)).isEqualTo(MergeOutcome.TAKEN);
            assertThat(seen).containsExactly(meta, stats, newer);
        }
    }

    @Test
    void anOlderVersionTakenIntoAForgottenSlotIsHeldButNeverShownToSubscribers() {
        try (Cdb cdb = Cdb.inMemory("n2")) {
            List<Entry> seen = new CopyOnWriteArrayList<>();
            cdb.changes(ChangeFilter.ALL).subscribe().with(seen::add);
            MetaEntry older = new MetaEntry(KEY, "n1", Json.object().put("state", "starting"), new Version(cdb.clock().now(), "n1"));
            MetaEntry forgotten = new MetaEntry(KEY, "n1", Json.object().put("state", "running"), new Version(cdb.clock().now(), "n1"));
            StatsEntry olderSample = new StatsEntry(KEY, "n1", StatsValues.of(new String[] {"cpu"}, new double[] {0.1}), new Version(cdb.clock().now(), "n1"));
            StatsEntry forgottenSample = new StatsEntry(KEY, "n1", StatsValues.of(new String[] {"cpu"}, new double[] {0.9}), new Version(cdb.clock().now(), "n1"));
            cdb.mergeFrom(forgotten);
            cdb.mergeFrom(forgottenSample);
            assertThat(cdb.forgetReport(forgotten)).isTrue();
            assertThat(cdb.forgetReport(forgottenSample)).isTrue();

            // a peer relays what it holds sealed: versions the author replaced before it restarted
            assertThat(cdb.mergeFrom(older)).isEqualTo(MergeOutcome.RESTORED);
            assertThat(cdb.mergeFrom(olderSample)).isEqualTo(MergeOutcome.RESTORED);
            assertThat(cdb.meta(KEY, "n1")).as("held, so the nodes converge").containsExactly(older);
            assertThat(cdb.stats(KEY, "n1")).containsExactly(olderSample);
            assertThat(seen).as("subscribers saw the later versions; the slot never goes back for them")
                    .containsExactly(forgotten, forgottenSample);

            assertThat(cdb.mergeFrom(forgotten)).as("the forgotten version itself, back later").isEqualTo(MergeOutcome.RESTORED);
            assertThat(cdb.mergeFrom(older)).isEqualTo(MergeOutcome.STALE);
            assertThat(cdb.meta(KEY, "n1")).containsExactly(forgotten);
            MetaEntry newer = new MetaEntry(KEY, "n1", Json.object().put("state", "stopped"), new Version(cdb.clock().now(), "n1"));
            assertThat(cdb.mergeFrom(newer)).isEqualTo(MergeOutcome.TAKEN);
            assertThat(seen).containsExactly(forgotten, forgottenSample, newer);
        }
    }

    @Test
    void aReportReplacedSinceIsNotForgottenAndObjectsNeverAre() {
        try (Cdb cdb = Cdb.inMemory("n2")) {
            MetaEntry old = new MetaEntry(KEY, "n1", Json.object().put("state", "running"), new Version(cdb.clock().now(), "n1"));
            MetaEntry newer = new MetaEntry(KEY, "n1", Json.object().put("state", "paused"), new Version(cdb.clock().now(), "n1"));
            cdb.mergeFrom(old);
            cdb.mergeFrom(newer);
            assertThat(cdb.forgetReport(old)).as("the CDB holds a newer version").isFalse();
            assertThat(cdb.meta(KEY, "n1")).containsExactly(newer);

            ObjectEntry object = new ObjectEntry(KEY, null, Json.object(), new Version(cdb.clock().now(), "n1"), false);
            assertThatThrownBy(() -> cdb.forgetReport(object)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not object system/web");
        }
    }
}
