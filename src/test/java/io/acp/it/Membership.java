package io.acp.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import java.io.IOException;

/** A node's view of a peer: the membership in the meta it reports for node/peer, or "none". */
final class Membership {

    private Membership() {
    }

    static String of(NodeProcess viewer, String peer) {
        try (ApiClient api = viewer.client()) {
            for (JsonNode e : api.call("cluster", "meta", Json.object().put("type", "node").put("id", peer))) {
                if (viewer.id().equals(e.path("node").asText())) {
                    return e.path("values").path("membership").asText("none");
                }
            }
            return "none";
        } catch (AcpException | IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }
}
