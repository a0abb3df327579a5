package io.acp.cluster.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoding stats without a map per sample, and strings through the cache of repeated names. */
class EntryCodecTest {

    @Test
    void decodedStatsKeepTheirValuesInOrderAndAStringIsWhatItsBytesSay() {
        Version v = new Version(77, "nöde-1");
        List<Entry> all = List.of(
                new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm-1"), "nöde-1", new java.util.LinkedHashMap<>(Map.of("cpu", 0.5)), v),
                new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm-1"), "nöde-1", Map.of("cpu", 0.5, "日本", -2.0, "rx", Double.NaN), v));
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        all.forEach(e -> body.writeBytes(EntryCodec.encode(e)));
        List<Entry> first = EntryCodec.decode(body.toByteArray());
        List<Entry> second = EntryCodec.decode(body.toByteArray());
        assertThat(first).isEqualTo(all).isEqualTo(second);
        assertThat(((StatsEntry) first.get(1)).values().keySet()).containsExactlyElementsOf(((StatsEntry) all.get(1)).values().keySet());

        // a name twice on the wire keeps its last value (as the map it used to be decoded into did)
        byte[] twice = statsEntry("vm-2", "n1", new String[] {"cpu", "mem", "cpu"}, new double[] {1, 2, 3});
        assertThat(((StatsEntry) EntryCodec.decode(twice).get(0)).values()).isEqualTo(Map.of("cpu", 3.0, "mem", 2.0));

        // bytes that are not UTF-8 decode as new String(bytes, UTF_8) makes them, however often they come
        byte[] broken = statsEntry("vm-3", "n1", new String[] {"x"}, new double[] {1});
        int at = indexOf(broken, "x".getBytes(StandardCharsets.UTF_8)[0], broken.length - 9);
        broken[at] = (byte) 0xC3; // a lead byte with no continuation
        for (int i = 0; i < 3; i++) {
            StatsEntry e = (StatsEntry) EntryCodec.decode(broken).get(0);
            assertThat(e.values().keySet()).containsExactly(new String(new byte[] {(byte) 0xC3}, StandardCharsets.UTF_8));
        }
    }

    private static byte[] statsEntry(String id, String node, String[] names, double[] values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(512);
        b.putInt(0).put((byte) 3);
        for (String s : new String[] {"system", id}) {
            putString(b, s);
        }
        b.putLong(99);
        putString(b, node);
        putString(b, node);
        b.putShort((short) names.length);
        for (int i = 0; i < names.length; i++) {
            putString(b, names[i]);
            b.putDouble(values[i]);
        }
        b.putInt(0, b.position() - 4);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static void putString(java.nio.ByteBuffer b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
    }

    private static int indexOf(byte[] a, byte x, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        throw new AssertionError("byte not found");
    }

    @Test
    void aStringThatTakesAnotherOnesCacheSlotIsStillItself() {
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < WireStrings.SLOTS * 2; i += 7) {
                byte[] u = ("id-" + i).getBytes(StandardCharsets.UTF_8);
                assertThat(WireStrings.decode(u, 0, u.length)).isEqualTo("id-" + i);
            }
        }
        byte[] longer = "x".repeat(WireStrings.MAX_CACHED_LENGTH + 1).getBytes(StandardCharsets.UTF_8);
        assertThat(WireStrings.decode(longer, 0, longer.length)).hasSize(WireStrings.MAX_CACHED_LENGTH + 1);
    }

    @Test
    void aKnownKeyDecodesToOneInstanceAndABadOneIsRefusedEveryTime() {
        byte[] one = statsEntry("vm-7", "n1", new String[] {"cpu"}, new double[] {1});
        ObjectKey first = EntryCodec.decode(one).get(0).key();
        assertThat(first).isEqualTo(ObjectKey.of(ObjectType.SYSTEM, "vm-7"));
        assertThat(EntryCodec.decode(one).get(0).key()).isSameAs(first);

        // keys that take each other's cache slots are still themselves
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < WireKeys.SLOTS * 2; i += 7) {
                assertThat(EntryCodec.decode(statsEntry("id-" + i, "n1", new String[0], new double[0])).get(0).key())
                        .isEqualTo(ObjectKey.of(ObjectType.SYSTEM, "id-" + i));
            }
        }

        // an id that is not one is never cached: refused the second time as the first, naming the rule
        byte[] bad = statsEntry("../etc", "n1", new String[] {"cpu"}, new double[] {1});
        for (int i = 0; i < 2; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EntryCodec.decode(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule object-id");
        }
        // nor is an unknown type
        byte[] unknown = statsEntry("vm-7", "n1", new String[0], new double[0]);
        unknown[8] = (byte) 'X'; // "system" (at byte 7, after length, kind and its length) -> "sXstem"
        for (int i = 0; i < 2; i++) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> EntryCodec.decode(unknown))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown object type");
        }
    }
}
