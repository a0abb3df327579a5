package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every system operation against real libvirt on its test driver, with the meta each leaves behind. */
class SystemLifecycleTest {

    private LibvirtNode node;
    // test:///default keeps its domains while any connection of the process is open: fresh names per test.
    private final String web1 = LibvirtNode.uniqueId("web1");
    private final String web2 = LibvirtNode.uniqueId("web2");
    private final String db1 = LibvirtNode.uniqueId("db1");

    @BeforeEach
    void start() {
        node = LibvirtNode.start();
    }

    @AfterEach
    void stop() {
        node.close();
    }

    static ObjectNode spec() {
        return json("{\"name\":\"web one\",\"vcpus\":2,\"memory\":256,"
                + "\"disks\":[{\"path\":\"/var/lib/acp/web1.img\"}],\"interfaces\":[{\"bridge\":\"acpbr0\",\"mac\":\"52:54:00:12:34:56\"}],"
                + "\"boot\":[\"hd\",\"network\"]}");
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private JsonNode meta(String id) {
        List<MetaEntry> meta = node.cdb.meta(SystemReports.key(id), LibvirtNode.NODE);
        assertThat(meta).hasSize(1);
        return meta.get(0).values();
    }

    @Test
    void createRunsTheSystemAndReportsItRunning() {
        ObjectNode result = node.systems().create(web1, spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(result.path("state").asText()).isEqualTo("running");
        assertThat(result.path("loaded").asBoolean()).isTrue();
        assertThat(result.path("node").asText()).isEqualTo("n1");
        assertThat(meta(web1).path("state").asText()).isEqualTo("running");
        DomainStatus domain = node.backend.get().status(web1).orElseThrow();
        assertThat(domain.state()).isEqualTo(SystemState.RUNNING);
        assertThat(domain.vcpus()).isEqualTo(2);
        assertThat(domain.maxMemoryKiB()).isEqualTo(256 * 1024);
        assertThat(node.cdb.object(SystemReports.key(web1))).isPresent();
    }

    @Test
    void everyOperationMovesTheDomainAndItsMeta() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(s.pause(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("paused");
        assertThat(node.backend.get().status(web1).orElseThrow().state()).isEqualTo(SystemState.PAUSED);
        assertThat(s.resume(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        assertThat(s.shutdown(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("stopped");
        assertThat(node.backend.get().status(web1).orElseThrow().state()).isEqualTo(SystemState.STOPPED);
        assertThat(s.start(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        assertThat(s.restart(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        assertThat(s.stop(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("stopped");
        assertThat(meta(web1).path("state").asText()).isEqualTo("stopped");
        assertThat(meta(web1).path("loaded").asBoolean()).isTrue();

        ObjectNode deleted = s.delete(web1).await().atMost(LibvirtNode.WAIT);
        assertThat(deleted.path("deleted").asBoolean()).isTrue();
        assertThat(node.backend.get().status(web1)).isEmpty();
        assertThat(node.cdb.object(SystemReports.key(web1))).isEmpty();
        assertThat(node.cdb.meta(SystemReports.key(web1), null)).isEmpty();
    }

    @Test
    void repeatingAnOperationChangesNothing() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);
        String since = meta(web1).path("since").asText();

        assertThat(s.create(web1, spec()).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        assertThat(s.start(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("running");
        assertThat(meta(web1).path("since").asText()).isEqualTo(since);
        s.stop(web1).await().atMost(LibvirtNode.WAIT);
        assertThat(s.stop(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("stopped");
        assertThat(s.shutdown(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("stopped");
    }

    @Test
    void shutdownOfAPausedSystemStopsIt() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);
        s.pause(web1).await().atMost(LibvirtNode.WAIT);

        assertThat(s.shutdown(web1).await().atMost(LibvirtNode.WAIT).path("state").asText()).isEqualTo("stopped");
        assertThat(node.backend.get().status(web1).orElseThrow().state()).isEqualTo(SystemState.STOPPED);
    }

    @Test
    void defineLoadsWithoutStarting() {
        Systems s = node.systems();
        node.cdb.putObject(SystemReports.key(db1), null, SystemSpec.parse(db1, spec()).toJson(), null).await().atMost(LibvirtNode.WAIT);

        ObjectNode defined = s.define(db1).await().atMost(LibvirtNode.WAIT);

        assertThat(defined.path("state").asText()).isEqualTo("stopped");
        assertThat(defined.path("loaded").asBoolean()).isTrue();
        assertThat(node.backend.get().status(db1).orElseThrow().state()).isEqualTo(SystemState.STOPPED);
    }

    @Test
    void listAndShowIncludeThisNodesReport() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);
        s.create(web2, spec()).await().atMost(LibvirtNode.WAIT);
        s.stop(web2).await().atMost(LibvirtNode.WAIT);

        JsonNode list = s.list().await().atMost(LibvirtNode.WAIT);
        assertThat(list).hasSize(2);
        assertThat(list.get(0).path("id").asText()).isEqualTo(web1);
        assertThat(list.get(0).path("state").asText()).isEqualTo("running");
        assertThat(list.get(1).path("state").asText()).isEqualTo("stopped");
        assertThat(list.get(1).path("memory").asInt()).isEqualTo(256);

        JsonNode shown = s.show(web1).await().atMost(LibvirtNode.WAIT);
        assertThat(shown.path("object").path("spec").path("vcpus").asInt()).isEqualTo(2);
        assertThat(shown.path("meta").path("state").asText()).isEqualTo("running");
    }

    @Test
    void aSystemNeverHeldHereIsReportedWithoutWritingMeta() {
        node.cdb.putObject(SystemReports.key(db1), null, SystemSpec.parse(db1, spec()).toJson(), null).await().atMost(LibvirtNode.WAIT);

        JsonNode shown = node.systems().show(db1).await().atMost(LibvirtNode.WAIT);
        JsonNode listed = node.systems().list().await().atMost(LibvirtNode.WAIT);

        assertThat(shown.path("meta").path("loaded").asBoolean()).isFalse();
        assertThat(shown.path("meta").path("since").isNull()).isTrue();
        assertThat(listed).anySatisfy(s -> assertThat(s.path("id").asText()).isEqualTo(db1));
        assertThat(node.cdb.meta(SystemReports.key(db1), null)).isEmpty();
    }

    @Test
    void aFailedSystemIsDeletedWithoutForceARunningOneIsNot() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);
        assertThatThrownBy(() -> s.delete(web1).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).startsWith("rule running-delete: system " + web1 + " is running"));
        assertThat(node.backend.get().status(web1)).as("the refused delete left the domain").isPresent();

        node.backend.get().crashed.add(web1); // its VMM ended: nothing runs that a delete could lose
        assertThat(s.delete(web1).await().atMost(LibvirtNode.WAIT).path("deleted").asBoolean()).isTrue();
        assertThat(node.backend.get().real.status(web1)).as("destroyed and undefined").isEmpty();
        assertThat(node.cdb.object(SystemReports.key(web1))).isEmpty();
    }

    @Test
    void unknownSystemIsNotFound() {
        assertThatThrownBy(() -> node.systems().start("nope").await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
                    assertThat(e.getMessage()).contains("system nope");
                });
        assertThatThrownBy(() -> node.systems().delete("nope").await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void invalidSpecIsRejectedBeforeAnythingHappens() {
        ObjectNode bad = spec().put("vcpus", 0);

        assertThatThrownBy(() -> node.systems().create(web1, bad).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.getMessage()).contains("system " + web1, "'vcpus'");
                });
        assertThat(node.cdb.object(SystemReports.key(web1))).isEmpty();
        assertThat(node.backend.get().status(web1)).isEmpty();
    }

    @Test
    void pausingAStoppedSystemIsAConflict() {
        Systems s = node.systems();
        s.create(web1, spec()).await().atMost(LibvirtNode.WAIT);
        s.stop(web1).await().atMost(LibvirtNode.WAIT);

        assertThatThrownBy(() -> s.pause(web1).await().atMost(LibvirtNode.WAIT))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("system " + web1, "not running");
                });
    }

    @Test
    void createAdoptsARunningDomainOfTheSameName() {
        // The test driver's predefined domain "test" runs already: create takes it over, it does not fail.
        ObjectNode result = node.systems().create("test", spec()).await().atMost(LibvirtNode.WAIT);

        assertThat(result.path("state").asText()).isEqualTo("running");
        assertThat(meta("test").path("loaded").asBoolean()).isTrue();
    }
}
