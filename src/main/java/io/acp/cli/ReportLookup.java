package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.protocol.AcpException;

/**
 * What stats and meta share: an empty answer about an object nobody knows is {@code not_found}
 * (exit 3, as {@code acp get} does), not an empty table; an object that exists but has no reports
 * yet stays an empty answer.
 */
final class ReportLookup {

    private ReportLookup() {
    }

    static JsonNode requireKnown(ApiClient api, ObjectNode key, JsonNode reports, String what) {
        if (reports.isArray() && reports.isEmpty()) {
            try {
                api.call("cluster", "get", key.deepCopy());
            } catch (AcpException e) {
                if (e.code() == io.acp.protocol.ErrorCode.NOT_FOUND) {
                    throw new AcpException(io.acp.protocol.ErrorCode.NOT_FOUND, "no object " + key.path("type").asText() + "/" + key.path("id").asText()
                            + " and no node reports " + what + " about it");
                }
                throw e;
            }
        }
        return reports;
    }
}
