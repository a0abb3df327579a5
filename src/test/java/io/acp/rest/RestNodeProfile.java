package io.acp.rest;

import io.acp.testing.Ports;
import io.acp.webapi.HttpSwitch;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Node a as {@code acp node run} with webapi runs it (the HTTP listener on a free port), with the
 * hypervisor on libvirt's test driver, storage, and cluster sync over loopback multicast on a group
 * and port of its own, so in-JVM peers can join it. REST bodies are capped at 4 KiB.
 */
public class RestNodeProfile implements QuarkusTestProfile {

    static final String DIR = "target/rest-test";
    static final String SECRET = "rest-test-sync-secret";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry(HttpSwitch.NODE_RUN, "true"),
                Map.entry("acp.node.services", "cluster,api,webapi,hypervisor,storage"),
                Map.entry("acp.node.id", "a"),
                Map.entry("acp.node.data-dir", DIR + "/data"),
                Map.entry("acp.api.socket", DIR + "/api.sock"),
                Map.entry("acp.api.port", "0"),
                Map.entry("acp.cluster.journal.fsync", "false"),
                Map.entry("acp.cluster.sync.enabled", "true"),
                Map.entry("acp.cluster.sync.secret", SECRET),
                Map.entry("acp.cluster.sync.group", Ports.randomGroup()),
                Map.entry("acp.cluster.sync.port", Integer.toString(Ports.freeUdpPort())),
                Map.entry("acp.cluster.sync.multicast-interface", "lo"),
                Map.entry("acp.rest.max-body-bytes", "4096"),
                Map.entry("acp.webapi.https-port", "0"),
                Map.entry("acp.rest.requests-per-second", "1000"),
                Map.entry("acp.rest.request-burst", "1000"));
    }
}
