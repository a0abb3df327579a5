package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.monitor.Monitor;
import io.acp.monitor.MonitorSettings;
import io.acp.monitor.Producers;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Service {@code monitor} over the real socket, on a node whose CDB a real monitor keeps. */
class MonitorApiTest extends WithNode {

    private static final Duration NO_DELAY = Duration.ZERO;

    private Monitor monitorWithAPoolFull() {
        Cdb cdb = node.cdb.get();
        Producers.node(cdb, "n1", true);
        Producers.nodeStats(cdb, "n1", System.currentTimeMillis());
        Producers.pool(cdb, "p1", "n1", "full", 97);
        Monitor m = new Monitor(cdb, MonitorSettings.defaults().withTimings(Duration.ofMillis(100), NO_DELAY, NO_DELAY), System::currentTimeMillis);
        m.round();
        return m;
    }

    @Test
    void healthIsThePrimarysReportWithItsHits() throws IOException {
        try (Monitor m = monitorWithAPoolFull(); TestClient c = node.client(true, TestNode.READER_KEY)) {
            JsonNode h = c.result("monitor", "health", null);
            assertThat(h.path("primary").asText()).isEqualTo("n1");
            assertThat(h.path("term").asLong()).isPositive();
            assertThat(h.path("score").asInt()).isEqualTo(85);
            assertThat(h.path("nodes").path("n1").asInt()).isEqualTo(85);
            assertThat(h.path("hits")).singleElement().satisfies(hit -> {
                assertThat(hit.path("rule").asText()).isEqualTo("poolFull");
                assertThat(hit.path("points").asInt()).isEqualTo(15);
                assertThat(hit.path("subject").asText()).isEqualTo("storage/p1");
                assertThat(hit.path("alarm").asText()).isEqualTo("poolFull:storage:p1:n1");
            });
        }
    }

    @Test
    void alarmsAreListedAndAnOperatorAcknowledgesThem() throws IOException {
        try (Monitor m = monitorWithAPoolFull(); TestClient reader = node.client(true, TestNode.READER_KEY);
             TestClient operator = node.client(true, TestNode.OPERATOR_KEY)) {
            JsonNode alarms = reader.result("monitor", "alarms", null);
            assertThat(alarms).singleElement().satisfies(a -> {
                assertThat(a.path("id").asText()).isEqualTo("poolFull:storage:p1:n1");
                assertThat(a.path("state").asText()).isEqualTo("raised");
                assertThat(a.path("severity").asText()).isEqualTo("critical");
            });

            Response refused = reader.call("monitor", "ack", Json.object().put("id", "poolFull:storage:p1:n1"));
            assertThat(refused).isInstanceOfSatisfying(Response.Failure.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.FORBIDDEN);
                assertThat(f.message()).contains("monitor.ack needs operator or admin");
            });

            JsonNode acked = operator.result("monitor", "ack", Json.object().put("id", "poolFull:storage:p1:n1"));
            assertThat(acked.path("state").asText()).isEqualTo("acknowledged");
            assertThat(acked.path("ackedBy").asText()).isEqualTo("ops");

            Producers.pool(node.cdb.get(), "p1", "n1", "ok", 10);
            m.round();
            m.round();
            assertThat(reader.result("monitor", "alarms", null)).isEmpty();
            assertThat(reader.result("monitor", "alarms", Json.object().put("all", true))).singleElement()
                    .satisfies(a -> assertThat(a.path("state").asText()).isEqualTo("cleared"));

            assertThat(operator.call("monitor", "ack", Json.object().put("id", "nodeDead:node:n9")))
                    .isInstanceOfSatisfying(Response.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.NOT_FOUND));
            assertThat(operator.call("monitor", "ack", Json.object()))
                    .isInstanceOfSatisfying(Response.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThat(reader.call("monitor", "alarms", Json.object().put("all", "yes")))
                    .isInstanceOfSatisfying(Response.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.BAD_REQUEST));
        }
    }

    @Test
    void withoutAMonitorHealthSaysWhatToDo() throws IOException {
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            assertThat(c.call("monitor", "health", null)).isInstanceOfSatisfying(Response.Failure.class, f -> {
                assertThat(f.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(f.message()).contains("node n1", "acp.node.services");
            });
            assertThat(c.call("monitor", "reboot", null)).isInstanceOfSatisfying(Response.Failure.class,
                    f -> assertThat(f.code()).isEqualTo(ErrorCode.UNKNOWN_OPERATION));
        }
    }
}
