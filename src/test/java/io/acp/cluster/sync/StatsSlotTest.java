package io.acp.cluster.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stats series' seal kept as bytes: given back whole for its own version only, newest kept, never aliased. */
class StatsSlotTest {

    private final Cdb cdb = Cdb.inMemory("n1");
    private final ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "web1");

    @Test
    void givesTheSealBackForItsVersionOnlyAndKeepsTheNewest() {
        StatsEntry first = cdb.putStats(key, Map.of("cpu", 1.0));
        StatsSlot slot = StatsSlot.of(cdb, first);
        SealedEntry firstSealed = sealed(first, 1);
        slot.seal(firstSealed);

        SealedEntry back = slot.sealOf(first);
        assertEquals(first, back.entry());
        assertArrayEquals(firstSealed.encoded(), back.encoded());
        assertEquals("n1", back.seal().author());
        assertEquals(7L, back.seal().keyId());
        assertEquals(1, back.seal().height());
        assertEquals(1, back.seal().leaf());
        assertArrayEquals(firstSealed.seal().path(), back.seal().path());
        assertArrayEquals(firstSealed.seal().signature(), back.seal().signature());

        StatsEntry second = cdb.putStats(key, Map.of("cpu", 2.0));
        slot.seal(sealed(second, 2));
        slot.seal(firstSealed); // an older seal arriving late is not kept
        assertNull(slot.sealOf(first), "no seal of a version no longer held");
        assertArrayEquals(sealed(second, 2).encoded(), slot.sealOf(second).encoded());
        assertArrayEquals(sealed(second, 2).seal().signature(), slot.sealOf(second).seal().signature());
    }

    @Test
    void whatItGivesAndWhatItWasGivenShareNoArrays() {
        StatsEntry e = cdb.putStats(key, Map.of("cpu", 1.0));
        StatsSlot slot = StatsSlot.of(cdb, e);
        SealedEntry given = sealed(e, 3);
        slot.seal(given);
        SealedEntry back = slot.sealOf(e);
        assertNotSame(given.encoded(), back.encoded());
        assertNotSame(given.seal().signature(), back.seal().signature());
        // the slot overwrites its arrays in place for the next seal: what it handed out stays as it was
        StatsEntry next = cdb.putStats(key, Map.of("cpu", 2.0));
        slot.seal(sealed(next, 4));
        assertArrayEquals(bytes(20, 3), back.encoded());
        assertArrayEquals(bytes(64, 3), back.seal().signature());
        // and what the caller was given to keep was not written through either
        assertArrayEquals(bytes(20, 3), given.encoded());
    }

    @Test
    void theCdbStillGivesTheLatestSampleAndItsHistory() {
        cdb.putStats(key, Map.of("cpu", 1.0, "mem", 10.0));
        StatsEntry latest = cdb.putStats(key, Map.of("cpu", 2.0, "mem", 20.0));
        assertEquals(latest, cdb.latestStats(key, "n1"));
        assertEquals(latest.version(), cdb.latestStatsVersion(key, "n1"));
    }

    private static SealedEntry sealed(StatsEntry e, int fill) {
        return new SealedEntry(e, bytes(20, fill), new Seal("n1", 7, 1, 1, bytes(16, fill), bytes(64, fill)));
    }

    private static byte[] bytes(int length, int fill) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) fill);
        return b;
    }
}
