package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Service {@code network} over the real socket: the catalog operations and their errors (the kernel side: io.acp.network tests). */
class NetworkApiTest extends WithNode {

    private static ObjectNode vlan(String id, int vid) {
        ObjectNode args = Json.object().put("id", id).put("subtype", "vlan");
        args.set("spec", Json.object().put("uplink", "eth0").put("vlan", vid));
        return args;
    }

    @Test
    void anAdminCreatesListsShowsAndDeletesANetwork() throws IOException {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            JsonNode created = c.result("network", "create", vlan("lan", 100));
            assertThat(created.path("spec").toString()).isEqualTo("{\"uplink\":\"eth0\",\"vlan\":100}");
            assertThat(c.result("network", "list", null)).singleElement().satisfies(n -> assertThat(n.path("id").asText()).isEqualTo("lan"));
            assertThat(c.result("network", "show", Json.object().put("id", "lan")).path("subtype").asText()).isEqualTo("vlan");
            Response dup = c.call("network", "create", vlan("lan", 101));
            assertThat(((Response.Failure) dup).code()).isEqualTo(ErrorCode.CONFLICT);
            assertThat(((Response.Failure) dup).message()).isEqualTo("network lan already exists; delete it first or choose another name");
            assertThat(c.result("network", "delete", Json.object().put("id", "lan")).path("deleted").asBoolean()).isTrue();
            Response gone = c.call("network", "show", Json.object().put("id", "lan"));
            assertThat(((Response.Failure) gone).code()).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(((Response.Failure) gone).message()).contains("unknown network lan");
        }
    }

    @Test
    void badInputAndMissingServiceGetClearErrors() throws IOException {
        try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
            Response badVlan = c.call("network", "create", vlan("lan", 0));
            assertThat(((Response.Failure) badVlan).code()).isEqualTo(ErrorCode.BAD_REQUEST);
            assertThat(((Response.Failure) badVlan).message()).isEqualTo("network lan: invalid VLAN id 0: VLAN ids are 1..4094");
            Response badAttachVlan = c.call("network", "attach", Json.object().put("id", "lan").put("interface", "veth1").put("vlan", 5000));
            assertThat(((Response.Failure) badAttachVlan).message()).contains("invalid VLAN id 5000");
            Response noService = c.call("network", "attach", Json.object().put("id", "lan").put("interface", "veth1"));
            assertThat(((Response.Failure) noService).code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(((Response.Failure) noService).message()).isEqualTo("node n1 runs no network service");
        }
    }

    @Test
    void readOnlyKeysMayLookButNotTouch() throws IOException {
        try (TestClient c = node.client(true, TestNode.READER_KEY)) {
            Response denied = c.call("network", "create", vlan("lan", 5));
            assertThat(((Response.Failure) denied).code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(((Response.Failure) denied).message()).contains("network.create needs admin; key 'viewer' has role read-only");
            assertThat(c.result("network", "list", null).isArray()).isTrue();
        }
    }
}
