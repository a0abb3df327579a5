package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionTest {

    @Test
    void ordersByClockThenByNode() {
        Version a = new Version(10, "n2");
        Version b = new Version(11, "n1");
        Version c = new Version(11, "n2");

        List<Version> sorted = new ArrayList<>(List.of(c, a, b));
        sorted.sort(null);

        assertThat(sorted).containsExactly(a, b, c);
        assertThat(c.isNewerThan(b)).isTrue();
        assertThat(b.isNewerThan(c)).isFalse();
        assertThat(b.isNewerThan(new Version(11, "n1"))).as("equal versions are the same write").isFalse();
        assertThat(a.isNewerThan(null)).isTrue();
    }

    @Test
    void millisAreThePhysicalPart() {
        Version v = new Version(HybridClock.fromMillis(1_764_010_000_000L) + 3, "n1");
        assertThat(v.millis()).isEqualTo(1_764_010_000_000L);
    }

    @Test
    void textFormIsHexAtNodeAndParsesBack() {
        Version v = new Version(0x18c2f3a1b2c40001L, "n1");
        assertThat(v).hasToString("18c2f3a1b2c40001@n1");
        assertThat(EntryJson.parseVersion(EntryJson.formatVersion(v))).isEqualTo(v);
    }
}
