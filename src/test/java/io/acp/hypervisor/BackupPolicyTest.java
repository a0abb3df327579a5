package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a scheduled backup is due, on given instants (no clock is read). */
class BackupPolicyTest {

    private static Instant at(String t) {
        return Instant.parse(t);
    }

    @Test
    void dailyIsDueOnceTheLastTimeOfDayHasPassedSinceTheLastBackup() {
        BackupPolicy p = new BackupPolicy("daily 02:00", 7, "vault");
        assertThat(p.due(Optional.empty(), at("2026-12-02T10:00:00Z"))).as("never backed up: due at once").isTrue();
        Optional<Instant> last = Optional.of(at("2026-12-02T02:00:05Z"));
        assertThat(p.due(last, at("2026-12-02T23:59:59Z"))).isFalse();
        assertThat(p.due(last, at("2026-12-03T01:59:59Z"))).isFalse();
        assertThat(p.due(last, at("2026-12-03T02:00:00Z"))).isTrue();
        assertThat(p.due(Optional.of(at("2026-12-01T23:00:00Z")), at("2026-12-02T01:00:00Z"))).as("yesterday's 02:00 was before it").isFalse();
        assertThat(p.due(Optional.of(at("2026-12-01T01:00:00Z")), at("2026-12-02T01:00:00Z"))).as("missed yesterday's 02:00").isTrue();
    }

    @Test
    void everyIsDueOneIntervalAfterTheLastBackup() {
        BackupPolicy p = new BackupPolicy("every 6h", 2, "vault");
        Optional<Instant> last = Optional.of(at("2026-12-02T00:00:00Z"));
        assertThat(p.due(last, at("2026-12-02T05:59:59Z"))).isFalse();
        assertThat(p.due(last, at("2026-12-02T06:00:00Z"))).isTrue();
        assertThat(new BackupPolicy("every 1d", 1, "v").due(last, at("2026-12-02T23:00:00Z"))).isFalse();
        assertThat(new BackupPolicy("every 30m", 1, "v").due(last, at("2026-12-02T00:30:00Z"))).isTrue();
    }

    @Test
    void badPoliciesAreRefusedWhenTheSpecIsRead() {
        for (String bad : new String[] {"hourly", "daily 25:00", "every 1m", "every 6w", "daily 2:00"}) {
            assertThatThrownBy(() -> SystemSpec.parse("web1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"backup\":{\"schedule\":\"" + bad
                    + "\",\"keep\":3,\"to\":\"vault\"}}"))).as(bad).hasMessageStartingWith("system web1: field 'backup' ");
        }
        assertThatThrownBy(() -> SystemSpec.parse("web1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"backup\":{\"schedule\":\"every 6h\","
                + "\"keep\":0,\"to\":\"vault\"}}"))).hasMessage("system web1: field 'backup' keep must be from 1 to 1000, got 0");
        assertThatThrownBy(() -> SystemSpec.parse("web1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"backup\":{\"schedule\":\"every 6h\","
                + "\"keep\":1,\"to\":\"vault\",\"when\":1}}"))).hasMessageContaining("field 'backup.when' is not a field of a backup policy");
        SystemSpec ok = SystemSpec.parse("web1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"backup\":{\"schedule\":\"daily 02:00\",\"keep\":7,\"to\":\"vault\"}}"));
        assertThat(ok.toJson().path("backup").toString()).isEqualTo("{\"schedule\":\"daily 02:00\",\"keep\":7,\"to\":\"vault\"}");
    }
}
