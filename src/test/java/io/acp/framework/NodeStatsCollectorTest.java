package io.acp.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.acp.framework.NodeStatsCollector.CpuTimes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeStatsCollectorTest {

    private static final String STAT = """
            cpu  9236 10 2130 218556 123 0 36 14 5 0
            cpu0 4543 0 956 109550 20 0 4 7 0 0
            cpu1 4693 10 1174 109006 103 0 31 7 5 0
            intr 170048 0 0 0
            ctxt 432248
            btime 1764000000
            processes 7491
            """;

    private static final String MEMINFO = """
            MemTotal:        8039648 kB
            MemFree:         5732332 kB
            MemAvailable:    7371484 kB
            Buffers:           69848 kB
            """;

    private static final String STATUS = """
            Name:\tjava
            VmPeak:\t 4593728 kB
            VmRSS:\t   123456 kB
            Threads:\t42
            """;

    @Test
    void cpu_times_come_from_the_aggregate_line_with_iowait_as_idle() {
        CpuTimes t = NodeStatsCollector.parseCpuTimes(STAT);

        // user..steal: 9236+10+2130+218556+123+0+36+14; guest is inside user already.
        assertThat(t.total()).isEqualTo(230105);
        assertThat(t.busy()).isEqualTo(230105 - 218556 - 123);
        assertThat(t.cpus()).isEqualTo(2);
    }

    @Test
    void busy_fraction_is_measured_between_samples() {
        CpuTimes before = new CpuTimes(1000, 10000, 2);
        CpuTimes after = new CpuTimes(1150, 10200, 2);

        assertThat(NodeStatsCollector.busyFraction(before, after)).isCloseTo(0.75, within(1e-9));
        assertThat(NodeStatsCollector.busyFraction(null, before)).isCloseTo(0.1, within(1e-9));
        assertThat(NodeStatsCollector.busyFraction(after, after)).as("no time passed").isZero();
    }

    @Test
    void memory_load_uptime_and_rss_are_parsed_into_bytes_and_seconds() {
        NodeStatsCollector.Memory m = NodeStatsCollector.parseMemory(MEMINFO);
        assertThat(m.total()).isEqualTo(8039648L * 1024);
        assertThat(m.available()).isEqualTo(7371484L * 1024);

        NodeStatsCollector.LoadAverage load = NodeStatsCollector.parseLoadAverage("0.28 0.24 0.11 1/89 7491\n");
        assertThat(load).isEqualTo(new NodeStatsCollector.LoadAverage(0.28, 0.24, 0.11));

        assertThat(NodeStatsCollector.parseUptime("1153.67 2185.56\n")).isEqualTo(1153.67);
        assertThat(NodeStatsCollector.parseVmRss(STATUS)).isEqualTo(123456L * 1024);
    }

    @Test
    void malformed_text_is_rejected_naming_the_file() {
        assertThatThrownBy(() -> NodeStatsCollector.parseCpuTimes("intr 1 2 3\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unexpected /proc/stat format");
        assertThatThrownBy(() -> NodeStatsCollector.parseMemory("MemTotal: 1 kB\n"))
                .hasMessage("unexpected /proc/meminfo format: no MemAvailable: line");
        assertThatThrownBy(() -> NodeStatsCollector.parseLoadAverage("0.1\n"))
                .hasMessageStartingWith("unexpected /proc/loadavg format");
        assertThatThrownBy(() -> NodeStatsCollector.parseVmRss("Name: x\n"))
                .hasMessage("unexpected /proc/self/status format: no VmRSS: line");
    }

    @Test
    void a_sample_of_a_proc_tree_on_disk_combines_every_file(@TempDir Path proc) throws IOException {
        Files.writeString(proc.resolve("stat"), STAT);
        Files.writeString(proc.resolve("meminfo"), MEMINFO);
        Files.writeString(proc.resolve("loadavg"), "1.50 1.00 0.50 2/100 42\n");
        Files.writeString(proc.resolve("uptime"), "3600.00 7000.00\n");
        Files.createDirectory(proc.resolve("self"));
        Files.writeString(proc.resolve("self/status"), STATUS);
        NodeStatsCollector collector = new NodeStatsCollector(proc);
        collector.sample();
        Files.writeString(proc.resolve("stat"), STAT.replace("cpu  9236 10 2130 218556", "cpu  9336 10 2130 218656"));

        Map<String, Double> s = collector.sample();

        assertThat(s.get("cpu")).isCloseTo(0.5, within(1e-9));
        assertThat(s.get("cpus")).isEqualTo(2.0);
        assertThat(s.get("memUsed")).isEqualTo((8039648.0 - 7371484.0) * 1024);
        assertThat(s.get("load1")).isEqualTo(1.5);
        assertThat(s.get("uptime")).isEqualTo(3600.0);
        assertThat(s.get("processRss")).isEqualTo(123456.0 * 1024);
    }

    @Test
    void a_missing_file_is_reported_with_its_path(@TempDir Path proc) {
        assertThatThrownBy(() -> new NodeStatsCollector(proc).sample())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(proc.resolve("stat").toString());
    }

    @Test
    void the_real_proc_gives_plausible_numbers() {
        NodeStatsCollector collector = new NodeStatsCollector(Path.of("/proc"));
        collector.sample();

        Map<String, Double> s = collector.sample();

        assertThat(s.get("cpu")).isBetween(0.0, 1.0);
        assertThat(s.get("cpus")).isEqualTo((double) Runtime.getRuntime().availableProcessors());
        assertThat(s.get("memTotal")).isPositive();
        assertThat(s.get("memAvailable")).isPositive().isLessThanOrEqualTo(s.get("memTotal"));
        assertThat(s.get("memUsed")).isEqualTo(s.get("memTotal") - s.get("memAvailable"));
        assertThat(s.get("load1")).isGreaterThanOrEqualTo(0.0);
        assertThat(s.get("uptime")).isPositive();
        assertThat(s.get("processRss")).as("a JVM holds at least a few MB resident").isGreaterThan(4.0 * 1024 * 1024)
                .isLessThan(s.get("memTotal"));
    }
}
