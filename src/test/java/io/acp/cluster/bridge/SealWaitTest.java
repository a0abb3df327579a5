package io.acp.cluster.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How a bridge link holds back the entries whose author's seal has not reached this node yet. */
class SealWaitTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private final BridgeCounters counters = new BridgeCounters();
    private final SealWait wait = new SealWait(counters);

    @Test
    void anEntryWithoutItsSealIsTriedAgainUntilItGoesWithIt() {
        Entry e = meta("vm-1", 100);
        wait.tried(List.of(e), List.of(e), 0);

        assertThat(wait.due(100 * MS)).containsExactly(e);
        wait.tried(List.of(e), List.of(e), 100 * MS); // still no seal
        assertThat(wait.due(200 * MS)).containsExactly(e);
        wait.tried(List.of(e), List.of(), 200 * MS); // the seal came: sent

        assertThat(wait.isEmpty()).isTrue();
        assertThat(wait.due(300 * MS)).isEmpty();
        assertThat(counters.unsealedSkips()).isZero();
    }

    @Test
    void aSlotWaitsWithItsNewestEntryOnly() {
        Entry older = meta("vm-1", 100);
        Entry newer = meta("vm-1", 200);
        Entry other = meta("vm-2", 100);
        wait.tried(List.of(older, other), List.of(older, other), 0);
        wait.tried(List.of(newer), List.of(newer), MS);
        wait.tried(List.of(older), List.of(older), 2 * MS); // an older change arriving late does not replace it

        assertThat(wait.due(3 * MS)).containsExactlyInAnyOrder(newer, other);
        assertThat(counters.unsealedSkips()).isZero();
    }

    @Test
    void aNewerEntryOfTheSlotSentWithItsSealEndsTheWaitOfAnOlderOne() {
        Entry older = meta("vm-1", 100);
        wait.tried(List.of(older), List.of(older), 0);
        wait.tried(List.of(meta("vm-1", 200)), List.of(), MS);

        assertThat(wait.isEmpty()).isTrue();
    }

    @Test
    void anEntryThatCameBackFromTheRemoteSideStopsWaitingUncounted() {
        Entry e = meta("vm-1", 100);
        wait.tried(List.of(e), List.of(e), 0);
        wait.settled(e); // an echo: the remote side holds it

        assertThat(wait.due(TimeUnit.MILLISECONDS.toNanos(SealWait.GIVE_UP_MILLIS))).isEmpty();
        assertThat(counters.unsealedSkips()).isZero();
    }

    @Test
    void anEntryWhoseSealNeverComesIsGivenUpAndCountedFromItsFirstWait() {
        Entry e = meta("vm-1", 100);
        wait.tried(List.of(e), List.of(e), 0);
        long halfway = TimeUnit.MILLISECONDS.toNanos(SealWait.GIVE_UP_MILLIS / 2);
        wait.tried(wait.due(halfway), List.of(e), halfway); // tried again, still unsealed: its wait does not start over

        assertThat(wait.due(TimeUnit.MILLISECONDS.toNanos(SealWait.GIVE_UP_MILLIS))).isEmpty();
        assertThat(wait.isEmpty()).isTrue();
        assertThat(counters.unsealedSkips()).isEqualTo(1);
    }

    @Test
    void theWaitIsBoundedByGivingUpTheLongestWaiting() {
        SealWait small = new SealWait(counters, 2);
        Entry first = meta("vm-1", 100);
        Entry second = meta("vm-2", 100);
        Entry third = meta("vm-3", 100);
        small.tried(List.of(first, second, third), List.of(first, second, third), 0);

        assertThat(small.due(MS)).containsExactly(second, third);
        assertThat(counters.unsealedSkips()).isEqualTo(1);
    }

    private static Entry meta(String system, long time) {
        return new MetaEntry(ObjectKey.of(ObjectType.SYSTEM, system), "a2", Json.object().put("state", "running"), new Version(time, "a2"));
    }
}
