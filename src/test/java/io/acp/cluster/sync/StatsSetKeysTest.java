package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.StatsTarget;
import io.acp.cluster.sync.origin.Seal;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The keys kept per (author, part) for decoding peers' stats sets: the same instances again where a
 * part names the same keys, and always the key the bytes name, whatever changed, whoever sent it.
 */
class StatsSetKeysTest {

    private static StatsEntry sample(String node, ObjectType type, String id, long time) {
        return new StatsEntry(new ObjectKey(type, id), node, Map.of("cpu", (double) time), new Version(time, node));
    }

    private static List<StatsEntry> samples(String node, long time, String... ids) {
        List<StatsEntry> out = new ArrayList<>();
        for (String id : ids) {
            out.add(sample(node, ObjectType.SYSTEM, id, time));
        }
        return out;
    }

    /** The keys of a set of {@code in} as a receiver decodes it through {@code keys}, checked against the bytes' own keys. */
    private static List<ObjectKey> decoded(StatsSetCodec.SetKeys keys, String node, int part, int parts, List<StatsEntry> in) {
        byte[] set = StatsSetCodec.encode(node, 1, part, parts, in);
        List<ObjectKey> out = StatsSetCodec.decodeOne(ByteBuffer.wrap(set), keys).samples().stream().map(StatsEntry::key).toList();
        assertThat(out).containsExactlyElementsOf(in.stream().map(StatsEntry::key).toList());
        return out;
    }

    @Test
    void theNextSetOfAPartGetsTheSameKeyInstancesAndAnotherPartItsOwn() {
        StatsSetKeys keys = new StatsSetKeys(node -> true);
        List<ObjectKey> first = decoded(keys, "n2", 0, 1, samples("n2", 100, "vm-a", "vm-b", "vm-c"));
        List<ObjectKey> second = decoded(keys, "n2", 0, 1, samples("n2", 200, "vm-a", "vm-b", "vm-c"));
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
        decoded(keys, "n3", 0, 1, samples("n3", 100, "vm-x"));
        assertThat(keys.authors()).isEqualTo(2);
    }

    @Test
    void everyChangeOfAPartsKeysGivesTheKeysTheBytesName() {
        StatsSetKeys keys = new StatsSetKeys(node -> true);
        decoded(keys, "n2", 0, 1, samples("n2", 100, "vm-a", "vm-b", "vm-c", "vm-d"));
        // one gone from the middle: the ids after it start earlier than the kept ones
        decoded(keys, "n2", 0, 1, samples("n2", 200, "vm-a", "vm-c", "vm-d"));
        // one added in the middle, and one of the same length that differs in a byte
        decoded(keys, "n2", 0, 1, samples("n2", 300, "vm-a", "vm-bb", "vm-c", "vm-e"));
        // the same id of another type
        List<StatsEntry> otherType = samples("n2", 400, "vm-a");
        otherType.add(sample("n2", ObjectType.NETWORK, "vm-bb", 400));
        decoded(keys, "n2", 0, 1, otherType);
        // fewer, then more again: what was kept beyond a shorter set is not read as this set's
        decoded(keys, "n2", 0, 1, samples("n2", 500, "vm-a"));
        decoded(keys, "n2", 0, 1, samples("n2", 600, "vm-a", "vm-bb", "vm-c", "vm-e", "vm-f"));
        // a new split of the author's series
        decoded(keys, "n2", 1, 2, samples("n2", 700, idsIn(1, 2, 3)));
    }

    @Test
    void anIdThatBreaksTheRulesIsRefusedAndTheNextSetStillDecodes() {
        StatsSetKeys keys = new StatsSetKeys(node -> true);
        decoded(keys, "n2", 0, 1, samples("n2", 100, "vm-a", "vm-b"));
        byte[] set = StatsSetCodec.encode("n2", 1, 0, 1, samples("n2", 200, "vm-a", "vm-Z"));
        int at = indexOf(set, "vm-Z".getBytes(StandardCharsets.US_ASCII));
        set[at + 3] = ' '; // a space: not a character an id may hold

        assertThatThrownBy(() -> StatsSetCodec.decodeOne(ByteBuffer.wrap(set), keys))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vm- ");
        assertThatThrownBy(() -> StatsSetCodec.decodeOne(ByteBuffer.wrap(set), StatsSetCodec.CACHED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vm- ");
        decoded(keys, "n2", 0, 1, samples("n2", 300, "vm-a", "vm-b"));
    }

    @Test
    void whatAnySenderCanMakeItKeepIsBounded() {
        StatsSetKeys keys = new StatsSetKeys(node -> true);
        for (int n = 0; n < StatsSetKeys.MAX_AUTHORS + 10; n++) {
            decoded(keys, "node-" + n, 0, 1, samples("node-" + n, 100, "vm-a"));
        }
        assertThat(keys.authors()).isEqualTo(StatsSetKeys.MAX_AUTHORS);
        // beyond the bounds, keys still come right: from the codec's cache
        decoded(keys, "node-late", 0, 1, samples("node-late", 100, "vm-a", "vm-b"));
        decoded(keys, "node-0", StatsSetKeys.MAX_PARTS, StatsSetKeys.MAX_PARTS + 1, samples("node-0", 100, idsIn(StatsSetKeys.MAX_PARTS, StatsSetKeys.MAX_PARTS + 1, 1)));
        assertThat(keys.authors()).isEqualTo(StatsSetKeys.MAX_AUTHORS);

        keys.forget("node-3");
        assertThat(keys.authors()).isEqualTo(StatsSetKeys.MAX_AUTHORS - 1);
    }

    @Test
    void nothingIsKeptForANodeThatIsNoMemberNorBeyondTheKeysAPartKeeps() {
        StatsSetKeys keys = new StatsSetKeys(node -> node.equals("n2"));
        decoded(keys, "stranger", 0, 1, samples("stranger", 100, "vm-a"));
        assertThat(keys.authors()).isZero();

        String[] many = new String[StatsSetKeys.MAX_KEPT_PER_PART + 20];
        for (int i = 0; i < many.length; i++) {
            many[i] = "vm-" + i;
        }
        List<ObjectKey> first = decoded(keys, "n2", 0, 1, samples("n2", 100, many));
        List<ObjectKey> second = decoded(keys, "n2", 0, 1, samples("n2", 200, many));
        for (int i = 0; i < StatsSetKeys.MAX_KEPT_PER_PART; i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
        assertThat(keys.authors()).isEqualTo(1);
    }

    @Test
    void theKeysKeptInAllAreBoundedAndTheSetsBeyondStillDecodeRight() {
        StatsSetKeys keys = new StatsSetKeys(node -> true, 100);
        String[] ids = new String[StatsSetKeys.MAX_KEPT_PER_PART];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "vm-" + i;
        }
        decoded(keys, "a", 0, 1, samples("a", 100, ids));
        assertThat(keys.keptKeys()).isEqualTo(64);
        List<ObjectKey> first = decoded(keys, "b", 0, 1, samples("b", 100, ids));
        assertThat(keys.keptKeys()).isEqualTo(100);
        List<ObjectKey> second = decoded(keys, "b", 0, 1, samples("b", 200, ids));
        assertThat(second.subList(0, 36)).containsExactlyElementsOf(first.subList(0, 36));
        assertThat(keys.keptKeys()).isEqualTo(100);

        keys.forget("a");
        assertThat(keys.keptKeys()).isEqualTo(36);
        decoded(keys, "b", 0, 1, samples("b", 300, ids));
        assertThat(keys.keptKeys()).isEqualTo(64);
        decoded(keys, "b", 0, 2, samples("b", 400, idsIn(0, 2, 3)));
        assertThat(keys.keptKeys()).as("a new split releases the old one's keys").isEqualTo(3);
    }

    @Test
    void theTargetsOfSetsAreBoundedTheSameWay() {
        StatsSetTargets targets = new StatsSetTargets(node -> true);
        for (int n = 0; n < StatsSetKeys.MAX_AUTHORS + 10; n++) {
            List<StatsEntry> in = samples("node-" + n, 100, "vm-a");
            SealedEntry s = inSet(in.get(0), StatsSetCodec.encode("node-" + n, 1, 0, 1, in));
            assertThat(targets.of(s, s.entry().key()).isFor(s.entry().key())).isTrue();
        }
        assertThat(targets.authors()).isEqualTo(StatsSetKeys.MAX_AUTHORS);
        List<StatsEntry> wide = samples("node-0", 100, idsIn(StatsSetKeys.MAX_PARTS, StatsSetKeys.MAX_PARTS + 1, 1));
        SealedEntry s = inSet(wide.get(0), StatsSetCodec.encode("node-0", 1, StatsSetKeys.MAX_PARTS, StatsSetKeys.MAX_PARTS + 1, wide));
        StatsTarget t = targets.of(s, s.entry().key());
        assertThat(t.isFor(s.entry().key())).isTrue();
        assertThat(targets.authors()).isEqualTo(StatsSetKeys.MAX_AUTHORS);

        StatsSetTargets forMembers = new StatsSetTargets(node -> false);
        List<StatsEntry> one = samples("node-0", 100, "vm-a");
        SealedEntry stranger = inSet(one.get(0), StatsSetCodec.encode("node-0", 1, 0, 1, one));
        assertThat(forMembers.of(stranger, stranger.entry().key()).isFor(stranger.entry().key())).isTrue();
        assertThat(forMembers.authors()).isZero();
    }

    /** A sample in a set of its own seal instance, as decoding makes it (the seal's signature is not checked here). */
    private static SealedEntry inSet(StatsEntry e, byte[] set) {
        return new SealedEntry(e, set, new Seal(e.node(), 1, 0, 0, new byte[0], new byte[64]));
    }

    /** {@code count} ids of systems whose series fall in {@code part} of {@code parts}. */
    private static String[] idsIn(int part, int parts, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; out.size() < count; i++) {
            if (StatsSetCodec.partOf(new ObjectKey(ObjectType.SYSTEM, "vm-" + i), parts) == part) {
                out.add("vm-" + i);
            }
        }
        return out.toArray(String[]::new);
    }

    private static int indexOf(byte[] a, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= a.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (a[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
