package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compact map a stats sample holds: a map like any other to its readers, immutable, no nulls. */
class StatsValuesTest {

    @Test
    void equalToAndHashedLikeAnyMapWithTheSameEntries() {
        StatsValues v = StatsValues.of(new String[] {"cpu", "mem", "rx"}, new double[] {0.5, 2.0, -1.0});
        Map<String, Double> plain = new HashMap<>(Map.of("rx", -1.0, "cpu", 0.5, "mem", 2.0));
        assertThat(v).isEqualTo(plain);
        assertThat(plain).isEqualTo(v);
        assertThat(v.hashCode()).isEqualTo(plain.hashCode());
        assertThat(v.get("mem")).isEqualTo(2.0);
        assertThat(v.get("disk")).isNull();
        assertThat(v.containsKey("rx")).isTrue();
        assertThat(v.keySet()).containsExactly("cpu", "mem", "rx");
        assertThat(v.values()).containsExactly(0.5, 2.0, -1.0);
        assertThat(v.toString()).isEqualTo("{cpu=0.5, mem=2.0, rx=-1.0}");
    }

    @Test
    void aNameGivenTwiceKeepsItsLastValueAsFillingAMapWould() {
        StatsValues v = StatsValues.of(new String[] {"cpu", "mem", "cpu"}, new double[] {1, 2, 3});
        assertThat(v).hasSize(2).containsEntry("cpu", 3.0).containsEntry("mem", 2.0);
        assertThat(v.keySet()).containsExactly("cpu", "mem");
    }

    @Test
    void cannotBeChangedAndRefusesNullsAsMapCopyOfDoes() {
        StatsValues v = StatsValues.copyOf(new LinkedHashMap<>(Map.of("cpu", 1.0)));
        assertThatThrownBy(() -> v.put("cpu", 2.0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> v.remove("cpu")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> v.entrySet().iterator().remove()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(v::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(v).containsExactly(Map.entry("cpu", 1.0));
        Map<String, Double> nullValue = new HashMap<>();
        nullValue.put("cpu", null);
        assertThatThrownBy(() -> StatsValues.copyOf(nullValue)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StatsValues.of(new String[] {null}, new double[] {1})).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> StatsValues.of(new String[] {"a"}, new double[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStatsEntryHoldsItsValuesCompactlyWhateverMapItWasGiven() {
        StatsEntry e = new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm1"), "n1", Map.of("cpu", 0.25, "mem", 4.0), new Version(1, "n1"));
        assertThat(e.values()).isInstanceOf(StatsValues.class).isEqualTo(Map.of("mem", 4.0, "cpu", 0.25));
        StatsEntry same = new StatsEntry(e.key(), "n1", new HashMap<>(Map.of("mem", 4.0, "cpu", 0.25)), new Version(1, "n1"));
        assertThat(same).isEqualTo(e).hasSameHashCodeAs(e);
        assertThat(List.of(same)).containsExactly(e);
    }
}
