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
                .as("a running system is backed up through libvirt's backup API, which the test driver lacks")
                .hasMessageContaining("backup of running system " + db + " to pool vault on node n1 failed: libvirt on node n1 refused to begin a backup")
                .hasMessageContaining("the partial backup was removed");
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

    /** Runs a host tool (qemu-img, qemu-io); answers what it printed, failing the test unless it exits 0. */
    private static String tool(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("%s: %s", String.join(" ", cmd), out).isZero();
        return out;
    }

    /**
     * A backup directory as {@link LiveBackups} leaves one: a qcow2 file for disk vda with
     * {@code writes} (qemu-io commands) and, last, its manifest.
     */
    private String liveBackup(String name, BackupManifest.Kind kind, String parent, String... writes) throws Exception {
        Path dir = Files.createDirectories(vault.resolve(SystemBackups.DIR).resolve(name));
        Path file = dir.resolve("disk-vda.qcow2");
        tool("qemu-img", "create", "-q", "-f", "qcow2", file.toString(), "4M");
        for (String w : writes) {
            tool("qemu-io", "-f", "qcow2", "-c", w, file.toString());
        }
        JsonNode spec = node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, db)).orElseThrow().spec();
        BackupManifest m = new BackupManifest(name, db, "n1", "2026-12-02T05:00:00Z", kind, parent, "acp." + name, spec,
                java.util.List.of(new BackupManifest.DiskCopy("vda", volume.toString(), "disk-vda.qcow2", "qcow2", Files.size(file), BackupManifest.sha256Of(file))));
        Files.writeString(dir.resolve(BackupManifest.FILE), m.toJson().toPrettyString());
        return name;
    }

    @Test
    void anIncrementalBackupIsRestoredThroughItsChainAfterEveryChecksumIsVerified() throws Exception {
        Systems s = node.systems();
        s.stop(db).await().atMost(LibvirtNode.WAIT);
        String full = liveBackup(db + ".20261201T020000Z", BackupManifest.Kind.FULL, null, "write -P 0x41 0 1M");
        String inc1 = liveBackup(db + ".20261202T020000Z", BackupManifest.Kind.INCREMENTAL, full, "write -P 0x42 512k 64k");
        String inc2 = liveBackup(db + ".20261203T020000Z", BackupManifest.Kind.INCREMENTAL, inc1, "write -P 0x43 2M 64k");
        String shaFull = BackupManifest.sha256Of(vault.resolve(SystemBackups.DIR).resolve(full).resolve("disk-vda.qcow2"));

        JsonNode restored = s.restore(db, "vault", inc2).await().atMost(LibvirtNode.WAIT);
        assertThat(restored.path("state").asText()).isEqualTo("running");
        String read = tool("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0x41 0 512k", "-c", "read -P 0x42 512k 64k", "-c", "read -P 0x41 576k 448k",
                "-c", "read -P 0x43 2M 64k", "-c", "read -P 0 1M 1M", volume.toString());
        assertThat(read).as("the full backup's bytes, each incremental's on top").doesNotContain("Pattern verification failed");
        assertThat(tool("qemu-img", "info", volume.toString())).as("a standalone image: the chain is flattened").doesNotContain("backing file");
        assertThat(BackupManifest.sha256Of(vault.resolve(SystemBackups.DIR).resolve(full).resolve("disk-vda.qcow2")))
                .as("the backup files are read, never rebased").isEqualTo(shaFull);

        s.stop(db).await().atMost(LibvirtNode.WAIT);
        s.restore(db, "vault", inc1).await().atMost(LibvirtNode.WAIT);
        assertThat(tool("qemu-io", "-f", "qcow2", "-r", "-U", "-c", "read -P 0 2M 64k", "-c", "read -P 0x42 512k 64k", volume.toString()))
                .as("an older link restores the disk as it was then").doesNotContain("Pattern verification failed");

        s.stop(db).await().atMost(LibvirtNode.WAIT);
        tool("qemu-io", "-f", "qcow2", "-c", "write -P 0x66 0 4k", vault.resolve(SystemBackups.DIR).resolve(inc1).resolve("disk-vda.qcow2").toString());
        byte[] before = Files.readAllBytes(volume);
        assertThatThrownBy(() -> s.restore(db, "vault", inc2).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule backup-checksum: backup " + inc2 + " in pool vault on node n1 is corrupt: " + inc1 + "/disk-vda.qcow2 (of backup "
                        + inc1 + ", which it is incremental on) has SHA-256 ")
                .hasMessageContaining("nothing was restored and system " + db + " was not started")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(Files.readAllBytes(volume)).as("the disk untouched").isEqualTo(before);
        assertThat(node.backend.get().status(db).orElseThrow().state()).isEqualTo(SystemState.STOPPED);

        Files.delete(vault.resolve(SystemBackups.DIR).resolve(full).resolve(BackupManifest.FILE));
        assertThatThrownBy(() -> s.restore(db, "vault", inc1).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule backup-chain: backup " + inc1 + " in pool vault on node n1 needs its parent backup " + full
                        + ", which has no readable manifest.json");
    }

    @Test
    void pruningKeepsTheParentsOfAKeptIncrementalBackup() throws Exception {
        String full = liveBackup(db + ".20261201T020000Z", BackupManifest.Kind.FULL, null, "write -P 0x41 0 64k");
        String inc1 = liveBackup(db + ".20261202T020000Z", BackupManifest.Kind.INCREMENTAL, full, "write -P 0x42 0 4k");
        String inc2 = liveBackup(db + ".20261203T020000Z", BackupManifest.Kind.INCREMENTAL, inc1, "write -P 0x43 0 4k");
        String copy = liveBackup(db + ".20261130T020000Z", BackupManifest.Kind.FULL, null, "write -P 0x40 0 4k");
        java.util.List<String> removed = node.systems().backups().prune(db, "vault", new BackupRetention(1, 0, 0));
        assertThat(removed).as("only the newest is kept, with the chain it is built on").containsExactly(copy);
        try (Stream<Path> left = Files.list(vault.resolve(SystemBackups.DIR))) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(full, inc1, inc2);
        }
    }
}
