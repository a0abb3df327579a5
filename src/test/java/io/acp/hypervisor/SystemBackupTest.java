package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full backups on libvirt's test driver with real files: a stopped system's volume copied into a
 * second pool with its SHA-256 in the manifest; a restore that checks it, copies it back and starts
 * the system; a corrupted backup refused naming the file, restoring nothing.
 */
class SystemBackupTest {

    @TempDir
    Path tmp;

    private LibvirtNode node;
    private final String db = LibvirtNode.uniqueId("bkdb");
    private Path volume;
    private Path vault;

    @BeforeEach
    void start() throws Exception {
        node = LibvirtNode.start();
        Path disks = Files.createDirectories(tmp.resolve("disks"));
        vault = Files.createDirectories(tmp.resolve("vault"));
        pool("disks", disks);
        pool("vault", vault);
        volume = disks.resolve("db.qcow2");
        Files.writeString(volume, "the database as it was", StandardCharsets.UTF_8);
        node.systems().create(db, SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"pool\":\"disks\",\"volume\":\"db.qcow2\",\"format\":\"qcow2\"}]}"))
                .await().atMost(LibvirtNode.WAIT);
    }

    /** A pool as the storage service reports it usable on this node. */
    private void pool(String id, Path path) throws Exception {
        ObjectKey key = ObjectKey.of(ObjectType.STORAGE, id);
        node.cdb.putObject(key, "pool", (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree("{\"kind\":\"dir\",\"path\":\"" + path + "\"}"), null)
                .await().atMost(LibvirtNode.WAIT);
        node.cdb.putMeta(key, Json.object().put("state", "ok").put("path", path.toString()));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private long backupsInVault() throws Exception {
        Path dir = vault.resolve(SystemBackups.DIR);
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void aStoppedSystemIsBackedUpWithChecksumsAndRestoredAndStarted() throws Exception {
        Systems s = node.systems();
        assertThatThrownBy(() -> s.backup(db, "vault").await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule backup-stopped: cannot back up system " + db + ": it is running on node n1")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(backupsInVault()).isZero();
        s.stop(db).await().atMost(LibvirtNode.WAIT);

        JsonNode made = s.backup(db, "vault").await().atMost(LibvirtNode.WAIT);
        String backup = made.path("backup").asText();
        Path dir = vault.resolve(SystemBackups.DIR).resolve(backup);
        assertThat(made.path("complete").asBoolean()).isTrue();
        JsonNode disk = made.path("disks").get(0);
        assertThat(disk.path("target").asText()).isEqualTo("vda");
        assertThat(disk.path("sha256").asText()).isEqualTo(BackupManifest.sha256Of(volume));
        assertThat(Files.readString(dir.resolve(disk.path("file").asText()))).isEqualTo("the database as it was");
        assertThat(Json.MAPPER.readTree(Files.readString(dir.resolve("manifest.json"))).path("disks").get(0).path("sha256").asText())
                .isEqualTo(disk.path("sha256").asText());

        Files.writeString(volume, "the database, damaged", StandardCharsets.UTF_8);
        JsonNode restored = s.restore(db, "vault", backup).await().atMost(LibvirtNode.WAIT);
        assertThat(restored.path("restored").asBoolean()).isTrue();
        assertThat(restored.path("state").asText()).isEqualTo("running");
        assertThat(Files.readString(volume)).isEqualTo("the database as it was");
    }

    @Test
    void aCorruptedBackupRestoresNothingAndNamesTheFile() throws Exception {
        Systems s = node.systems();
        s.stop(db).await().atMost(LibvirtNode.WAIT);
        JsonNode made = s.backup(db, "vault").await().atMost(LibvirtNode.WAIT);
        String backup = made.path("backup").asText();
        String file = made.path("disks").get(0).path("file").asText();
        Files.writeString(vault.resolve(SystemBackups.DIR).resolve(backup).resolve(file), "bit rot", StandardCharsets.UTF_8);
        Files.writeString(volume, "the database today", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> s.restore(db, "vault", backup).await().atMost(LibvirtNode.WAIT))
                .isInstanceOf(AcpException.class)
                .hasMessageContaining("rule backup-checksum: backup " + backup + " in pool vault on node n1 is corrupt: " + file + " has SHA-256 ")
                .hasMessageContaining("nothing was restored and system " + db + " was not started");
        assertThat(Files.readString(volume)).as("the disk untouched").isEqualTo("the database today");
        assertThat(node.backend.get().status(db).orElseThrow().state()).isEqualTo(SystemState.STOPPED);
        assertThatThrownBy(() -> s.restore(db, "vault", "nope").await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("pool vault on node n1 has no complete backup nope");
        assertThatThrownBy(() -> s.restore(db, "vault", "../../etc").await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("backup name '../../etc' is not one ACP made");
    }

    @Test
    void aFullTargetIsRefusedBeforeAnythingIsWritten() throws Exception {
        Systems s = node.systems();
        s.stop(db).await().atMost(LibvirtNode.WAIT);
        Files.write(volume, new byte[2 * 1024 * 1024]);
        io.acp.testing.SmallDisk.mount(vault, "1m");
        try {
            assertThatThrownBy(() -> s.backup(db, "vault").await().atMost(LibvirtNode.WAIT))
                    .hasMessageContaining("rule backup-space: cannot back up system " + db + " to pool vault on node n1: the backup needs 2097152 bytes")
                    .hasMessageContaining("nothing was written")
                    .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
            assertThat(backupsInVault()).isZero();
        } finally {
            io.acp.testing.SmallDisk.unmount(vault);
        }
    }

    @Test
    void aBackupThatFailsHalfWayLeavesNoBackupBehind() throws Exception {
        Systems s = node.systems();
        String two = LibvirtNode.uniqueId("bktwo");
        Files.createDirectories(volume.resolveSibling("unreadable.qcow2")); // a directory where the second disk's image should be
        s.create(two, SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"pool\":\"disks\",\"volume\":\"db.qcow2\",\"format\":\"qcow2\"},"
                + "{\"pool\":\"disks\",\"volume\":\"unreadable.qcow2\",\"format\":\"qcow2\"}]}")).await().atMost(LibvirtNode.WAIT);
        s.stop(two).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.backup(two, "vault").await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("backup of system " + two + " to pool vault on node n1 failed: ")
                .hasMessageEndingWith("; the partial backup was removed")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.INTERNAL));
        assertThat(backupsInVault()).as("the first disk's copy went with the failed backup").isZero();
    }

    @Test
    void aRestoreAsANewNameMakesACopyBesideTheOriginal() throws Exception {
        Systems s = node.systems();
        String withNic = LibvirtNode.uniqueId("bkmac");
        node.cdb.putObject(ObjectKey.of(ObjectType.SYSTEM, withNic), null, (com.fasterxml.jackson.databind.node.ObjectNode) SystemLifecycleTest.json(
                "{\"vcpus\":1,\"memory\":128,\"node\":\"n1\",\"disks\":[{\"pool\":\"disks\",\"volume\":\"" + withNic + ".qcow2\",\"format\":\"qcow2\"}],"
                        + "\"interfaces\":[{\"network\":\"lan\",\"mac\":\"52:54:00:00:00:01\"}]}"), null).await().atMost(LibvirtNode.WAIT);
        node.cdb.putMeta(ObjectKey.of(ObjectType.NETWORK, "lan"), Json.object().put("state", "up").put("bridge", "acpbr-test"));
        Path original = volume.resolveSibling(withNic + ".qcow2");
        Files.writeString(original, "the original", StandardCharsets.UTF_8);
        s.define(withNic).await().atMost(LibvirtNode.WAIT);
        String backup = s.backup(withNic, "vault").await().atMost(LibvirtNode.WAIT).path("backup").asText();
        Files.writeString(original, "the original, changed since", StandardCharsets.UTF_8);

        String copy = LibvirtNode.uniqueId("bkcopy");
        JsonNode restored = s.restore(withNic, "vault", backup, copy).await().atMost(LibvirtNode.WAIT);
        assertThat(restored.path("id").asText()).isEqualTo(copy);
        assertThat(restored.path("restored").asBoolean()).isTrue();
        JsonNode spec = node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, copy)).orElseThrow().spec();
        assertThat(spec.path("disks").get(0).path("volume").asText()).isEqualTo(copy + ".qcow2");
        assertThat(spec.path("node").asText()).isEqualTo("n1");
        assertThat(spec.path("interfaces").get(0).path("mac").asText()).matches("52:54:00(:[0-9a-f]{2}){3}").isNotEqualTo("52:54:00:00:00:01");
        assertThat(Files.readString(volume.resolveSibling(copy + ".qcow2"))).as("the copy holds the backup").isEqualTo("the original");
        assertThat(Files.readString(original)).as("the original untouched").isEqualTo("the original, changed since");
        String uuidOriginal = DomainXml.uuid(node.backend.get().xml(withNic).orElseThrow());
        assertThat(DomainXml.uuid(node.backend.get().xml(copy).orElseThrow())).isNotNull().isNotEqualTo(uuidOriginal);

        assertThatThrownBy(() -> s.restore(withNic, "vault", backup, copy).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule restore-name-taken: cannot restore backup " + backup + " as system " + copy + ": a system of that id exists")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        String third = LibvirtNode.uniqueId("bkthird");
        Files.writeString(volume.resolveSibling(third + ".qcow2"), "someone else's", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> s.restore(withNic, "vault", backup, third).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule restore-volume-exists: cannot restore backup " + backup + " as system " + third + " on node n1: its disk vda would be ");
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, third))).as("nothing stored").isEmpty();
        assertThat(Files.readString(volume.resolveSibling(third + ".qcow2"))).isEqualTo("someone else's");
    }

    @Test
    void aDeletedSystemIsRecreatedFromItsBackupAndOneOfAnotherNodeIsRefused() throws Exception {
        Systems s = node.systems();
        s.stop(db).await().atMost(LibvirtNode.WAIT);
        String backup = s.backup(db, "vault").await().atMost(LibvirtNode.WAIT).path("backup").asText();
        s.delete(db).await().atMost(LibvirtNode.WAIT);
        Files.writeString(volume, "left over", StandardCharsets.UTF_8);

        JsonNode restored = s.restore(db, "vault", backup, null).await().atMost(LibvirtNode.WAIT);
        assertThat(restored.path("state").asText()).isEqualTo("running");
        assertThat(Files.readString(volume)).isEqualTo("the database as it was");
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, db)).orElseThrow().spec().path("node").asText()).isEqualTo("n1");

        String elsewhere = LibvirtNode.uniqueId("bkn2");
        node.cdb.putObject(ObjectKey.of(ObjectType.SYSTEM, elsewhere), null, (com.fasterxml.jackson.databind.node.ObjectNode) SystemLifecycleTest.json(
                "{\"vcpus\":1,\"memory\":128,\"node\":\"n2\",\"disks\":[]}"), null).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.restore(elsewhere, "vault", backup, null).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule restore-elsewhere: cannot restore system " + elsewhere + " on node n1: it is assigned to node n2");
    }
}
