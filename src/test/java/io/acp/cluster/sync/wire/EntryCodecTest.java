package io.acp.cluster.sync.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void aKeyIsCachedByItsIdsBytesAndTypeAndAnInvalidIdIsRefusedEveryTime() {
        byte[] vm = statsEntry("vm-7", "n1", new String[] {"cpu"}, new double[] {1});
        ObjectKey first = EntryCodec.decode(vm).get(0).key();
        assertThat(EntryCodec.decode(vm).get(0).key()).isSameAs(first).isEqualTo(ObjectKey.of(ObjectType.SYSTEM, "vm-7"));

        // the same id bytes under another type are another key
        byte[] node = vm.clone();
        byte[] type = "system".getBytes(StandardCharsets.UTF_8);
        byte[] other = "stores".getBytes(StandardCharsets.UTF_8); // same length, not a type
        System.arraycopy(other, 0, node, 4 + 1 + 2, type.length);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> EntryCodec.decode(node)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown object type");
        }
        byte[] network = statsEntryOfType("network", "vm-7");
        assertThat(EntryCodec.decode(network).get(0).key()).isEqualTo(ObjectKey.of(ObjectType.NETWORK, "vm-7")).isNotEqualTo(first);

        // an id that is no id is refused each time it comes, never cached
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> EntryCodec.decode(statsEntry("../etc", "n1", new String[] {"cpu"}, new double[] {1})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule object-id");
            assertThatThrownBy(() -> EntryCodec.decode(statsEntry("x".repeat(ObjectKey.MAX_ID_LENGTH + 1), "n1", new String[] {"cpu"}, new double[] {1})))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule object-id");
        }

        // more ids than the cache holds, twice over: each still decodes to its own key
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 140_000; i += 3) {
                assertThat(EntryCodec.decode(statsEntry("id-" + i, "n1", new String[] {"cpu"}, new double[] {1})).get(0).key().id()).isEqualTo("id-" + i);
            }
        }
    }

    private static byte[] statsEntryOfType(String type, String id) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(512);
        b.putInt(0).put((byte) 3);
        putString(b, type);
        putString(b, id);
        b.putLong(99);
        putString(b, "n1");
        putString(b, "n1");
        b.putShort((short) 1);
        putString(b, "cpu");
        b.putDouble(1);
        b.putInt(0, b.position() - 4);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }
}
