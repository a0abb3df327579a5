package io.acp.webapi;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A node as {@code acp node run} with webapi would run it (the HTTP listener on, on a free port),
 * with small bounds so the tests reach them: 4 KiB messages, 5 requests/s with a burst of 10.
 */
public class WebApiProfile implements QuarkusTestProfile {

    static final String DIR = "target/webapi-test";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry(HttpSwitch.NODE_RUN, "true"),
                Map.entry("acp.node.services", "cluster,api,webapi"),
                Map.entry("acp.node.id", "web1"),
                Map.entry("acp.node.data-dir", DIR + "/data"),
                Map.entry("acp.api.socket", DIR + "/api.sock"),
                Map.entry("acp.api.port", "0"),
                Map.entry("acp.cluster.journal.fsync", "false"),
                Map.entry("acp.webapi.max-message-bytes", "4096"),
                Map.entry("acp.webapi.requests-per-second", "5"),
                Map.entry("acp.webapi.request-burst", "10"),
                Map.entry("acp.webapi.auth-timeout", "3s"));
    }
}
