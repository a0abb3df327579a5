package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of the lease table, one operation at a time (no Raft: the order is the log's). */
class LeaseTableTest {

    private static final long LEASE = 10_000;
    private static final long DELAY = 8_500;
    private final LeaseTable table = new LeaseTable(DELAY);
    private long index;

    private Object apply(LeaseOp op) {
        return table.runOperation(++index, op);
    }

    @Test
    void aRenewalGrantsAtLeastWhatTheHolderCountsAndNamesItsSystems() {
        apply(new LeaseOp.Renew("n2", 5_000, LEASE));
        apply(new LeaseOp.Take("web", "n2", 5_001));
        // n1's clock is behind: its lease still runs from the table's clock, never less than its own count.
        LeaseResult.Granted g = (LeaseResult.Granted) apply(new LeaseOp.Renew("n1", 4_000, LEASE));
        assertThat(g.expiresAt()).isGreaterThanOrEqualTo(4_000 + LEASE);
        assertThat(((LeaseResult.Granted) apply(new LeaseOp.Renew("n2", 6_000, LEASE))).owned()).containsExactly("web");
    }

    @Test
    void aFailedNodesSystemMovesOnlyAfterItsExpiryPlusTheTakeoverDelay() {
        apply(new LeaseOp.Renew("n3", 0, LEASE));
        apply(new LeaseOp.Take("web", "n3", 1));
        apply(new LeaseOp.Renew("n1", 9_000, LEASE));
        assertThat(apply(new LeaseOp.Take("web", "n1", 9_500))).isInstanceOf(LeaseResult.Refused.class)
                .extracting(r -> ((LeaseResult.Refused) r).reason()).asString().contains("node n3").contains("live");
        apply(new LeaseOp.Renew("n1", 17_000, LEASE));
        assertThat(apply(new LeaseOp.Take("web", "n1", LEASE + DELAY - 1))).isInstanceOf(LeaseResult.Refused.class)
                .extracting(r -> ((LeaseResult.Refused) r).reason()).asString().contains("once node n3 has fenced it");
        assertThat(apply(new LeaseOp.Take("web", "n1", LEASE + DELAY))).isEqualTo(new LeaseResult.Owner("web", "n1"));
        // n3 comes back: its renewal no longer names web.
        assertThat(((LeaseResult.Granted) apply(new LeaseOp.Renew("n3", LEASE + DELAY + 1, LEASE))).owned()).isEmpty();
    }

    @Test
    void aNodeWithoutALiveLeaseCannotTakeNorHandOver() {
        assertThat(apply(new LeaseOp.Take("web", "n1", 1))).isInstanceOf(LeaseResult.Refused.class);
        apply(new LeaseOp.Renew("n1", 1, LEASE));
        apply(new LeaseOp.Take("web", "n1", 2));
        apply(new LeaseOp.Renew("n2", 20_000, LEASE));
        assertThat(apply(new LeaseOp.Hand("web", "n1", "n2", 20_001))).isInstanceOf(LeaseResult.Refused.class);
        assertThat(table.owners()).isEqualTo(Map.of("web", "n1"));
    }

    @Test
    void aReleaseByAnotherNodeChangesNothingAndTheSnapshotRestoresTheTable() {
        apply(new LeaseOp.Renew("n1", 1, LEASE));
        apply(new LeaseOp.Take("web", "n1", 2));
        apply(new LeaseOp.Release("web", "n2", 3));
        assertThat(table.owners()).isEqualTo(Map.of("web", "n1"));
        List<Object> chunks = new java.util.ArrayList<>();
        table.takeSnapshot(index, chunks::add);
        LeaseTable copy = new LeaseTable(DELAY);
        copy.installSnapshot(index, chunks);
        assertThat(copy.owners()).isEqualTo(table.owners());
        assertThat(copy.leases()).isEqualTo(table.leases());
        assertThat(copy.clock()).isEqualTo(table.clock());
        apply(new LeaseOp.Release("web", "n1", 4));
        assertThat(table.owners()).isEmpty();
    }
}
