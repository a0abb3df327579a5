package io.acp.cluster.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stats sets on the wire: what goes in comes out, the split is stable, and each rule of the form is named when broken. */
class StatsSetCodecTest {

    /** The samples of node {@code node} among {@code n} objects that fall in {@code part} of {@code parts}. */
    private static List<StatsEntry> part(String node, int n, int part, int parts) {
        List<StatsEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectKey key = ObjectKey.of(i % 2 == 0 ? ObjectType.SYSTEM : ObjectType.NODE, "obj-" + i);
            if (StatsSetCodec.partOf(key, parts) == part) {
                Map<String, Double> values = new HashMap<>(Map.of("cpu", i * 0.5, "mem", i * 1024.0));
                if (i % 3 == 0) {
                    values.put("disk-" + (i % 5), -1.25); // names differ from sample to sample
                }
                out.add(new StatsEntry(key, node, values, new Version(5_000_000L + i, node)));
            }
        }
        return out;
    }

    @Test
    void aSetDecodesToTheSamplesItWasMadeOfWithItsHeader() {
        List<StatsEntry> samples = part("n7", 200, 3, 12);
        byte[] encoded = StatsSetCodec.encode("n7", 42L, 3, 12, samples);

        assertThat(StatsSetCodec.isSet(encoded, 0)).isTrue();
        assertThat(StatsSetCodec.isSet(EntryCodec.encode(samples.get(0)), 0)).as("an ordinary entry").isFalse();
        assertThat(StatsSetCodec.header(encoded)).isEqualTo(new StatsSetCodec.Header(42L, 3, 12));
        ByteBuffer b = ByteBuffer.wrap(encoded);
        StatsSetCodec.StatsSet set = StatsSetCodec.decodeOne(b);
        assertThat(b.hasRemaining()).isFalse();
        assertThat(set.node()).isEqualTo("n7");
        assertThat(set.time()).isEqualTo(42L);
        assertThat(set.part()).isEqualTo(3);
        assertThat(set.parts()).isEqualTo(12);
        assertThat(set.samples()).containsExactlyElementsOf(samples);
        assertThat(encoded.length).as("smaller than the samples as entries")
                .isLessThan(samples.stream().mapToInt(s -> EntryCodec.encode(s).length).sum());
    }

    @Test
    void theSplitDependsOnlyOnTheKeyAndTheNumberOfParts() {
        assertThat(StatsSetCodec.partsFor(0)).isEqualTo(1);
        assertThat(StatsSetCodec.partsFor(StatsSetCodec.SERIES_PER_PART)).isEqualTo(1);
        assertThat(StatsSetCodec.partsFor(StatsSetCodec.SERIES_PER_PART + 1)).isEqualTo(2);
        assertThat(StatsSetCodec.partsFor(100)).isEqualTo(7);
        int[] counts = new int[7];
        for (int i = 0; i < 7000; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
            int p = StatsSetCodec.partOf(key, 7);
            assertThat(StatsSetCodec.partOf(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), 7)).isEqualTo(p);
            counts[p]++;
        }
        assertThat(java.util.Arrays.stream(counts).boxed().toList()).as("spread over the parts").allSatisfy(c -> assertThat(c).isBetween(800, 1200));
        // the same id of another type is another series
        assertThat(StatsSetCodec.partOf(ObjectKey.of(ObjectType.SYSTEM, "x"), 1 << 15))
                .isNotEqualTo(StatsSetCodec.partOf(ObjectKey.of(ObjectType.NODE, "x"), 1 << 15));
    }

    @Test
    void eachRuleOfTheFormIsNamedWhenASetWouldBreakIt() {
        List<StatsEntry> mine = part("n1", 60, 0, 2);
        StatsEntry other = new StatsEntry(mine.get(0).key(), "n2", Map.of("cpu", 1.0), new Version(1, "n2"));
        assertThatThrownBy(() -> StatsSetCodec.encode("n1", 1, 0, 2, List.of(other)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("by node n2 cannot go in a stats set of node n1");
        List<StatsEntry> ofPartOne = part("n1", 60, 1, 2);
        assertThatThrownBy(() -> StatsSetCodec.encode("n1", 1, 0, 2, ofPartOne))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not belong in part 0 of 2 of node n1");
        assertThatThrownBy(() -> StatsSetCodec.encode("n1", 1, 0, 2, List.of(mine.get(0), mine.get(0))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not belong in part 0 of 2");
        assertThatThrownBy(() -> StatsSetCodec.encode("n1", 1, 2, 2, mine))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("part 2 of 2 is out of range");
        Map<String, Double> many = new HashMap<>();
        for (int i = 0; i < 256; i++) {
            many.put("v" + i, (double) i);
        }
        StatsEntry wide = new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "wide"), "n1", many, new Version(1, "n1"));
        assertThatThrownBy(() -> StatsSetCodec.encode("n1", 1, 0, 1, List.of(wide)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("have 256 values, a stats set holds at most 255");
    }

    @Test
    void aSetCutShortOrReferringPastItsStringsIsMalformed() {
        byte[] encoded = StatsSetCodec.encode("n1", 9, 0, 1, part("n1", 5, 0, 1));
        for (int cut : new int[] {3, 10, encoded.length / 2, encoded.length - 1}) {
            byte[] shortened = java.util.Arrays.copyOf(encoded, cut);
            assertThatThrownBy(() -> StatsSetCodec.decodeOne(ByteBuffer.wrap(shortened)))
                    .as("cut at %d", cut).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stats set");
        }
        // the length prefix says the whole set; only its inner counts lie
        byte[] lying = encoded.clone();
        int strings = 4 + 1 + 8 + 2 + 2 + 2 + 2; // after the node "n1"
        lying[strings] = 0; // no strings in the table, yet the samples refer to them
        int at = strings + 1;
        byte[] fixed = new byte[lying.length - tableLength(encoded, strings)];
        System.arraycopy(lying, 0, fixed, 0, at);
        System.arraycopy(lying, at + tableLength(encoded, strings), fixed, at, lying.length - at - tableLength(encoded, strings));
        ByteBuffer.wrap(fixed).putInt(0, fixed.length - 4);
        assertThatThrownBy(() -> StatsSetCodec.decodeOne(ByteBuffer.wrap(fixed)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stats set of node n1 refers to string 0 of 0");
        byte[] badPart = encoded.clone();
        ByteBuffer.wrap(badPart).putShort(4 + 1 + 8, (short) 1); // part 1 of 1
        assertThatThrownBy(() -> StatsSetCodec.decodeOne(ByteBuffer.wrap(badPart)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("part 1 of 1 is out of range");
    }

    /** The bytes of the string table (its strings, not its count) of a set whose table count is at {@code at}. */
    private static int tableLength(byte[] encoded, int at) {
        ByteBuffer b = ByteBuffer.wrap(encoded);
        int n = encoded[at] & 0xFF;
        int pos = at + 1;
        for (int i = 0; i < n; i++) {
            pos += 2 + (b.getShort(pos) & 0xFFFF);
        }
        return pos - at - 1;
    }
}
