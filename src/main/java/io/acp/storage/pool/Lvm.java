package io.acp.storage.pool;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.CommandRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * LVM through its commands, reading reports as JSON ({@code --reportformat json --units b
 * --nosuffix}). With activation off every command runs with {@code global/activation=0}: volumes
 * change in the volume group's metadata only (what a kernel without device-mapper allows).
 */
public final class Lvm {

    /** A volume group's size and free bytes. */
    record VolumeGroup(String name, long size, long free) {
    }

    /** A logical volume; {@code pool} is its thin pool ("" if not thin), {@code dataPercent} a thin pool's fill. */
    record LogicalVolume(String name, long size, String segtype, String pool, double dataPercent) {

        boolean isThinPool() {
            return segtype.equals("thin-pool");
        }

        /** Hidden sub-volumes ([tp_tdata]) and pool internals are no one's volumes. */
        boolean hidden() {
            return name.startsWith("[") || name.startsWith("lvol0_pmspare");
        }
    }

    private final Function<List<String>, CommandRunner.Result> exec;
    private final boolean activation;

    public Lvm(CommandRunner commands, boolean activation) {
        this(commands::exec, activation);
    }

    /** LVM through {@code exec} (tests replay recorded output of commands this machine cannot run). */
    Lvm(Function<List<String>, CommandRunner.Result> exec, boolean activation) {
        this.exec = exec;
        this.activation = activation;
    }

    List<VolumeGroup> volumeGroups() {
        List<VolumeGroup> out = new ArrayList<>();
        for (JsonNode r : report("vgs", "vg", List.of("-o", "vg_name,vg_size,vg_free"))) {
            out.add(new VolumeGroup(r.path("vg_name").asText(), number(r, "vg_size"), number(r, "vg_free")));
        }
        return out;
    }

    List<LogicalVolume> logicalVolumes(String vg) {
        List<LogicalVolume> out = new ArrayList<>();
        for (JsonNode r : report("lvs", "lv", List.of("-a", "-o", "lv_name,lv_size,segtype,pool_lv,data_percent", vg))) {
            out.add(new LogicalVolume(r.path("lv_name").asText(), number(r, "lv_size"), r.path("segtype").asText(), r.path("pool_lv").asText(),
                    decimal(r, "data_percent")));
        }
        return out;
    }

    /** Physical volumes by device path, to their VG name ("" for a PV in no VG). */
    public Map<String, String> physicalVolumes() {
        Map<String, String> out = new HashMap<>();
        for (JsonNode r : report("pvs", "pv", List.of("-o", "pv_name,vg_name"))) {
            out.put(r.path("pv_name").asText(), r.path("vg_name").asText());
        }
        return out;
    }

    void createLinear(String vg, String name, long size) {
        change("lvcreate", "-y", "-L", size + "b", "-n", name, vg);
    }

    void createThin(String vg, String thinPool, String name, long size) {
        change("lvcreate", "-y", "-V", size + "b", "--thinpool", vg + "/" + thinPool, "-n", name);
    }

    void resize(String vg, String name, long size) {
        change("lvresize", "-y", "-L", size + "b", vg + "/" + name);
    }

    void remove(String vg, String name) {
        change("lvremove", "-y", vg + "/" + name);
    }

    private void change(String... args) {
        List<String> cmd = new ArrayList<>(List.of(args));
        if (!activation) {
            cmd.addAll(1, List.of("--config", "global { activation = 0 }"));
            if (args[0].equals("lvcreate")) {
                cmd.addAll(3, List.of("-an", "-Zn")); // after "lvcreate --config X"
            }
        }
        CommandRunner.Result r = exec.apply(cmd);
        if (r.exitCode() != 0) {
            String text = CommandRunner.firstLines(r);
            ErrorCode code = text.contains("insufficient free space") || text.contains("Insufficient free") ? ErrorCode.CONFLICT : ErrorCode.INTERNAL;
            throw new AcpException(code, (code == ErrorCode.CONFLICT ? "out of space: " : "") + args[0] + " failed: " + text);
        }
    }

    /** Runs a report command and answers the rows of its one report. */
    private List<JsonNode> report(String command, String rows, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(command, "--reportformat", "json", "--units", "b", "--nosuffix"));
        if (!activation) {
            cmd.addAll(1, List.of("--config", "global { activation = 0 }"));
        }
        cmd.addAll(args);
        CommandRunner.Result r = exec.apply(cmd);
        if (r.exitCode() != 0) {
            throw new AcpException(ErrorCode.UNAVAILABLE, command + " failed: " + CommandRunner.firstLines(r));
        }
        return rows(r.out(), rows);
    }

    static List<JsonNode> rows(String json, String rows) {
        try {
            JsonNode root = Json.MAPPER.readTree(json);
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode report : root.path("report")) {
                report.path(rows).forEach(out::add);
            }
            return out;
        } catch (IOException e) {
            throw new AcpException(ErrorCode.INTERNAL, "cannot read an LVM report: " + e.getMessage());
        }
    }

    private static long number(JsonNode r, String field) {
        String t = r.path(field).asText("").strip();
        return t.isEmpty() ? 0 : Long.parseLong(t);
    }

    private static double decimal(JsonNode r, String field) {
        String t = r.path(field).asText("").strip();
        return t.isEmpty() ? 0 : Double.parseDouble(t);
    }
}
