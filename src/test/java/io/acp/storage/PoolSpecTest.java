package io.acp.storage;

import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.acp.protocol.ErrorCode;
import io.acp.storage.pool.PoolSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Pool specs: what each kind takes, and each mistake named. */
class PoolSpecTest {

    @Test
    void eachKindTakesItsFields() {
        PoolSpec dir = PoolSpec.parse("p", spec("{\"kind\":\"dir\",\"path\":\"/srv/vm\",\"format\":\"qcow2\",\"nodes\":[\"n1\"]}"));
        assertThat(dir.path()).isEqualTo(Path.of("/srv/vm"));
        assertThat(dir.runsOn("n1")).isTrue();
        assertThat(dir.runsOn("n2")).isFalse();
        assertThat(PoolSpec.parse("p", dir.toJson())).isEqualTo(dir);
        PoolSpec thin = PoolSpec.parse("t", spec("{\"kind\":\"lvm-thin\",\"vg\":\"vg0\",\"thinPool\":\"tp0\"}"));
        assertThat(PoolSpec.parse("t", thin.toJson())).isEqualTo(thin);
        assertThat(PoolSpec.parse("l", spec("{\"kind\":\"libvirt\"}")).name()).isNull();
    }

    @Test
    void mistakesAreNamed() {
        bad("{\"kind\":\"dir\",\"size\":1}", "pool p: unknown field 'size'");
        bad("{\"kind\":\"dir\",\"path\":\"vm\"}", "field 'path' must be an absolute, normalised path");
        bad("{\"kind\":\"dir\",\"path\":\"/srv/../etc\"}", "field 'path' must be an absolute, normalised path");
        bad("{\"kind\":\"dir\",\"share\":\"s\",\"subdir\":\"../x\"}", "field 'subdir' must be a relative path inside the share");
        bad("{\"kind\":\"dir\",\"subdir\":\"x\"}", "'subdir' needs 'share'");
        bad("{\"kind\":\"dir\",\"path\":\"/a\",\"share\":\"s\"}", "either 'path' or 'share'");
        bad("{\"kind\":\"lvm\"}", "an lvm pool needs field 'vg'");
        bad("{\"kind\":\"lvm\",\"vg\":\"-x\"}", "an lvm pool needs field 'vg'");
        bad("{\"kind\":\"lvm\",\"vg\":\"vg0\",\"thinPool\":\"tp\"}", "'thinPool' needs kind lvm-thin");
        bad("{\"kind\":\"lvm-thin\",\"vg\":\"vg0\"}", "an lvm-thin pool needs field 'thinPool'");
        bad("{\"kind\":\"lvm\",\"vg\":\"vg0\",\"format\":\"qcow2\"}", "format qcow2 needs a dir pool");
        bad("{\"kind\":\"dir\",\"format\":\"vmdk\"}", "field 'format' must be raw or qcow2");
        bad("{\"kind\":\"libvirt\",\"path\":\"/x\"}", "a libvirt pool takes only 'name', 'format' and 'nodes'");
        bad("{\"kind\":\"dir\",\"name\":\"x\"}", "'name' (a libvirt pool's name) needs kind libvirt");
        bad("{\"kind\":\"dir\",\"nodes\":\"n1\"}", "field 'nodes' must be an array of node ids");
        bad("{\"kind\":7}", "field 'kind' must be a string");
    }

    private static void bad(String json, String message) {
        DirPoolTest.assertCode(() -> PoolSpec.parse("p", spec(json)), ErrorCode.BAD_REQUEST, message);
    }
}
