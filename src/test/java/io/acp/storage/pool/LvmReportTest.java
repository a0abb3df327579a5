package io.acp.storage.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.protocol.ErrorCode;
import io.acp.storage.common.CommandRunner;
import io.acp.storage.common.Usage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Thin pools against recorded LVM output: this kernel has no device-mapper, so no thin pool can be
 * created here (the linear path runs against real LVM in LvmPoolTest). The JSON is what LVM 2.03
 * prints for {@code vgs}/{@code lvs --reportformat json --units b --nosuffix}.
 */
class LvmReportTest {

    private static final String VGS = """
            {"report": [{"vg": [{"vg_name":"vg0", "vg_size":"1073741824", "vg_free":"536870912"}]}]}""";
    private static final String LVS = """
              {
                  "report": [
                      {
                          "lv": [
                              {"lv_name":"[lvol0_pmspare]", "lv_size":"4194304", "segtype":"linear", "pool_lv":"", "data_percent":""},
                              {"lv_name":"root", "lv_size":"104857600", "segtype":"linear", "pool_lv":"", "data_percent":""},
                              {"lv_name":"tp0", "lv_size":"419430400", "segtype":"thin-pool", "pool_lv":"", "data_percent":"25.00"},
                              {"lv_name":"[tp0_tdata]", "lv_size":"419430400", "segtype":"linear", "pool_lv":"", "data_percent":""},
                              {"lv_name":"vm1", "lv_size":"2147483648", "segtype":"thin", "pool_lv":"tp0", "data_percent":"4.88"}
                          ]
                      }
                  ]
              }
            """;

    private final List<List<String>> commands = new ArrayList<>();

    private Lvm recorded() {
        return new Lvm(cmd -> {
            commands.add(cmd);
            return switch (cmd.get(0)) {
                case "vgs" -> new CommandRunner.Result(0, VGS, "");
                case "lvs" -> new CommandRunner.Result(0, LVS, "");
                default -> new CommandRunner.Result(0, "", "");
            };
        }, true);
    }

    @Test
    void aThinPoolReportsItsFillAndOnlyItsThinVolumes() {
        LvmPool pool = new LvmPool("thin", "n1", "vg0", "tp0", recorded());
        pool.realise();
        assertThat(pool.kind()).isEqualTo("lvm-thin");
        Usage u = pool.usage();
        assertThat(u.capacity()).isEqualTo(419430400L);
        assertThat(u.allocation()).isEqualTo(419430400L / 4);
        assertThat(u.usedPercent()).isEqualTo(25.0);
        assertThat(pool.volumes()).extracting(Volume::name).containsExactly("vm1");
        assertThat(pool.volumes().get(0).capacity()).isEqualTo(2147483648L);

        // Thin volumes may exceed the pool (overcommit): the create goes to lvcreate --thinpool.
        commands.clear();
        // The recording never lists vm2, so reading it back after the create finds nothing.
        assertCode(() -> pool.create("vm2", 1L << 40, null), ErrorCode.NOT_FOUND, "volume vm2 in pool thin on node n1 not found");
        assertThat(commands).anySatisfy(c -> assertThat(c).containsSubsequence("lvcreate", "-V", (1L << 40) + "b", "--thinpool", "vg0/tp0", "-n", "vm2"));
    }

    @Test
    void aLinearPoolSkipsThinPoolsTheirVolumesAndHiddenVolumes() {
        LvmPool pool = new LvmPool("vg", "n1", "vg0", null, recorded());
        assertThat(pool.volumes()).extracting(Volume::name).containsExactly("root");
        assertThat(pool.usage().free()).isEqualTo(536870912L);
        assertCode(() -> pool.create("big", 1L << 30, null), ErrorCode.CONFLICT, "out of space: pool vg (volume group vg0) on node n1 has 512.0 MiB free");
    }

    @Test
    void activationOffIsPassedToEveryCommand() {
        List<List<String>> seen = new ArrayList<>();
        Lvm lvm = new Lvm(cmd -> {
            seen.add(cmd);
            return new CommandRunner.Result(0, cmd.get(0).equals("vgs") ? VGS : "", "");
        }, false);
        lvm.volumeGroups();
        lvm.createLinear("vg0", "a", 4096);
        assertThat(seen.get(0)).containsSubsequence("vgs", "--config", "global { activation = 0 }");
        assertThat(seen.get(1)).startsWith("lvcreate", "--config", "global { activation = 0 }", "-an", "-Zn");
    }

    @Test
    void anLvmFailureCarriesLvmsWords() {
        Lvm lvm = new Lvm(cmd -> new CommandRunner.Result(5, "", "  Volume group \"vg0\" has insufficient free space (1 extents): 2 required.\n"), true);
        assertCode(() -> lvm.createLinear("vg0", "a", 8 << 20), ErrorCode.CONFLICT,
                "out of space: lvcreate failed: Volume group \"vg0\" has insufficient free space");
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code, String message) {
        org.assertj.core.api.Assertions.assertThatThrownBy(call).isInstanceOfSatisfying(io.acp.protocol.AcpException.class, e -> {
            assertThat(e.code()).as(e.getMessage()).isEqualTo(code);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
