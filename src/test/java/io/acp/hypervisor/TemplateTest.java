package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.node.NodeCalls;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Templates on libvirt's test driver with real files, real qemu-img and real genisoimage: a
 * stopped system becomes read-only template volumes; a system made from it gets a qcow2 overlay
 * whose backing file is the template's volume (or a full copy) and a NoCloud seed ISO labelled
 * cidata holding its user-data, meta-data and network-config, attached as a cdrom; a template in
 * use is not deleted; bad user-data is refused with nothing written.
 */
class TemplateTest {

    private static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0ZXN0a2V5Zm9yYWNwdGVtcGxhdGVzAAAAAAAAAA test@acp";

    @TempDir
    Path tmp;

    private LibvirtNode node;
    private Path images;
    private final String base = LibvirtNode.uniqueId("tplbase");
    private final String tpl = LibvirtNode.uniqueId("tpl");

    @BeforeEach
    void start() throws Exception {
        node = LibvirtNode.start();
        images = Files.createDirectories(tmp.resolve("images"));
        ObjectKey key = ObjectKey.of(ObjectType.STORAGE, "images");
        node.cdb.putObject(key, "pool", (ObjectNode) Json.MAPPER.readTree("{\"kind\":\"dir\",\"path\":\"" + images + "\"}"), null).await().atMost(LibvirtNode.WAIT);
        node.cdb.putMeta(key, Json.object().put("state", "ok").put("path", images.toString()));
        assertThat(run("qemu-img", "create", "-q", "-f", "qcow2", images.resolve(base + ".qcow2").toString(), "1M").exit()).isZero();
        node.systems().create(base, SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":128,\"disks\":[{\"pool\":\"images\",\"volume\":\"" + base
                + ".qcow2\",\"format\":\"qcow2\"}]}")).await().atMost(LibvirtNode.WAIT);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    record Run(int exit, String output) {
    }

    static Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static ObjectNode cloudInit(String userData) {
        ObjectNode c = Json.object().put("userData", userData).put("hostname", "web-1");
        c.putArray("sshKeys").add(KEY);
        return c;
    }

    private List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aSystemFromATemplateRunsOnAnOverlayWithItsCloudInitSeed() throws Exception {
        Systems s = node.systems();
        assertThatThrownBy(() -> s.templateCreate(tpl, base, null).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule template-stopped: cannot make a template of system " + base + ": it is running on node n1");
        s.stop(base).await().atMost(LibvirtNode.WAIT);
        JsonNode made = s.templateCreate(tpl, base, null).await().atMost(LibvirtNode.WAIT);
        String volume = "template-" + tpl + "-vda.qcow2";
        Path baseVolume = images.resolve(volume);
        assertThat(made.path("volumes").get(0).path("volume").asText()).isEqualTo(volume);
        assertThat(made.path("volumes").get(0).path("sha256").asText()).isEqualTo(BackupManifest.sha256Of(images.resolve(base + ".qcow2")));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(baseVolume))).isEqualTo("r--r--r--");
        assertThat(made.path("spec").path("disks").get(0).path("readonly").asBoolean()).isTrue();
        assertThat(s.templateList().await().atMost(LibvirtNode.WAIT).findValuesAsText("id")).contains(tpl);
        // What template create writes is a record a put may store again; the same record on a writable volume of the pool,
        // or with its volume not a read-only disk of its spec, is refused (rule template-record).
        JsonNode record = node.cdb.object(ObjectKey.of(ObjectType.TEMPLATE, tpl)).orElseThrow().spec();
        TemplateRecord.check(tpl, record);
        ObjectNode onAWritableVolume = record.deepCopy();
        ((ObjectNode) onAWritableVolume.path("volumes").get(0)).put("volume", base + ".qcow2");
        ((ObjectNode) onAWritableVolume.path("spec").path("disks").get(0)).put("volume", base + ".qcow2");
        assertThatThrownBy(() -> TemplateRecord.check(tpl, onAWritableVolume))
                .hasMessage("template " + tpl + ": volumes[0].volume must be a volume 'template create' made for it (template-" + tpl
                        + "-…), got \"" + base + ".qcow2\" (rule template-record)");
        ObjectNode writableDisk = record.deepCopy();
        ((ObjectNode) writableDisk.path("spec").path("disks").get(0)).put("readonly", false);
        assertThatThrownBy(() -> TemplateRecord.check(tpl, writableDisk))
                .hasMessageContaining("volumes[0].volume " + volume + " is not a read-only disk of its spec in pool images");

        String web = LibvirtNode.uniqueId("tplweb");
        String userData = "#cloud-config\nruncmd:\n  - echo acp-template-marker > /dev/ttyS0\n";
        JsonNode report = s.createFromTemplate(web, tpl, Json.object().put("memory", 256), cloudInit(userData), false, true, NodeCalls.none("n1"))
                .await().atMost(LibvirtNode.WAIT);
        assertThat(report.path("state").asText()).isEqualTo("running");
        JsonNode spec = node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, web)).orElseThrow().spec();
        assertThat(spec.path("template").asText()).isEqualTo(tpl);
        assertThat(spec.path("memory").asInt()).isEqualTo(256);
        assertThat(spec.path("disks").get(0).path("volume").asText()).isEqualTo(web + "-vda.qcow2");
        assertThat(spec.path("disks").get(1).path("device").asText()).isEqualTo("cdrom");
        Path overlay = images.resolve(web + "-vda.qcow2");
        assertThat(run("qemu-img", "info", "-U", overlay.toString()).output()).contains("backing file: " + baseVolume);
        Path iso = images.resolve(web + "-seed.iso");
        assertThat(run("isoinfo", "-d", "-i", iso.toString()).output()).contains("Volume id: cidata");
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/user-data").output()).isEqualTo(userData);
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/meta-data").output())
                .contains("instance-id: " + web).contains("local-hostname: web-1").contains(KEY);
        assertThat(run("isoinfo", "-R", "-i", iso.toString(), "-x", "/network-config").output()).contains("dhcp4: true");
        String xml = node.backend.get().xml(web).orElseThrow();
        assertThat(xml).contains("device='cdrom'").contains(iso.toString());

        assertThatThrownBy(() -> s.templateDelete(tpl).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule template-in-use: template " + tpl + " is the base of system(s) " + web)
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(baseVolume).exists();
        assertThat(s.templateShow(tpl).await().atMost(LibvirtNode.WAIT).path("usedBy").get(0).asText()).isEqualTo(web);

        String copy = LibvirtNode.uniqueId("tplfull");
        s.createFromTemplate(copy, tpl, null, null, true, false, NodeCalls.none("n1")).await().atMost(LibvirtNode.WAIT);
        assertThat(run("qemu-img", "info", "-U", images.resolve(copy + "-vda.qcow2").toString()).output()).doesNotContain("backing file");

        s.delete(web, true).await().atMost(LibvirtNode.WAIT);
        s.delete(copy, true).await().atMost(LibvirtNode.WAIT);
        JsonNode deleted = s.templateDelete(tpl).await().atMost(LibvirtNode.WAIT);
        assertThat(deleted.path("volumesRemoved").get(0).asText()).isEqualTo(volume);
        assertThat(baseVolume).doesNotExist();
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.TEMPLATE, tpl))).isEmpty();
    }

    @Test
    void badUserDataIsRefusedByRuleWithNothingWritten() throws Exception {
        Systems s = node.systems();
        s.stop(base).await().atMost(LibvirtNode.WAIT);
        s.templateCreate(tpl, base, null).await().atMost(LibvirtNode.WAIT);
        List<String> before = filesIn(images);
        String web = LibvirtNode.uniqueId("tplbad");
        for (String bad : List.of("hello: world\n", "#cloud-config\nruncmd: [unclosed\n", "#cloud-config\n- just\n- a list\n")) {
            assertThatThrownBy(() -> s.createFromTemplate(web, tpl, null, cloudInit(bad), false, true, NodeCalls.none("n1")).await().atMost(LibvirtNode.WAIT))
                    .hasMessageContaining("rule cloud-init-user-data: system " + web + ": ")
                    .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        ObjectNode badKey = cloudInit("#!/bin/sh\necho hi\n");
        badKey.putArray("sshKeys").add("not a key");
        assertThatThrownBy(() -> s.createFromTemplate(web, tpl, null, badKey, false, true, NodeCalls.none("n1")).await().atMost(LibvirtNode.WAIT))
                .hasMessageContaining("rule cloud-init-ssh-key: system " + web);
        for (String bad : List.of("ethernets: {}\n", "version: 3\nethernets: {}\n", "- version: 2\n", "version: [2\n")) {
            ObjectNode badNetwork = cloudInit("#cloud-config\n");
            badNetwork.put("networkConfig", bad);
            assertThatThrownBy(() -> s.createFromTemplate(web, tpl, null, badNetwork, false, true, NodeCalls.none("n1")).await().atMost(LibvirtNode.WAIT))
                    .hasMessageContaining("rule cloud-init-network-config: system " + web + ": ")
                    .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
        assertThatThrownBy(() -> s.createFromTemplate(web, tpl, SystemLifecycleTest.json("{\"disks\":[]}"), null, false, true, NodeCalls.none("n1"))
                .await().atMost(LibvirtNode.WAIT)).hasMessageContaining("field 'disks' cannot be given with template " + tpl);
        assertThat(node.cdb.object(ObjectKey.of(ObjectType.SYSTEM, web))).isEmpty();
        assertThat(filesIn(images)).isEqualTo(before);
    }

    @Test
    void aMissingToolIsNamedWithItsPackage() {
        assertThatThrownBy(() -> new HostCommand("acp-no-such-iso-tool", "genisoimage").path("n1", "build the cloud-init seed of system web"))
                .hasMessage("node n1 cannot build the cloud-init seed of system web: acp-no-such-iso-tool is not installed (Debian package genisoimage: "
                        + "apt-get install genisoimage)")
                .satisfies(e -> assertThat(((AcpException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
