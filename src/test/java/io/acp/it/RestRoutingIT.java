package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.testing.Eventually;
import io.acp.testing.Ports;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged nodes: a serves the REST API (webapi), b does not. Through a's REST API, requests
 * for b (by {@code ?node=b}, by the node path, and by a system's owner) are answered by b through
 * a's agent; the CLI of a node with the new HTTP extensions still runs without opening HTTP.
 */
class RestRoutingIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aAnswersForBThroughItsAgent() throws Exception {
        Path dirA = dir.resolve("a");
        Path dirB = dir.resolve("b");
        Files.createDirectories(dirA);
        Files.createDirectories(dirB);
        int http;
        try (ServerSocket s = new ServerSocket(0)) {
            http = s.getLocalPort();
        }
        // cluster sync over loopback multicast on a group and port of this test's own
        List<String> sync = List.of("-Dacp.cluster.sync.enabled=true", "-Dacp.cluster.sync.secret=rest-routing-it-secret",
                "-Dacp.cluster.sync.group=" + Ports.randomGroup(), "-Dacp.cluster.sync.port=" + Ports.freeUdpPort(),
                "-Dacp.cluster.sync.multicast-interface=lo");
        List<String> optionsA = new java.util.ArrayList<>(sync);
        optionsA.addAll(List.of("-Dacp.node.services=cluster,api,hypervisor,agent,webapi", "-Dacp.webapi.port=" + http));
        List<String> optionsB = new java.util.ArrayList<>(sync);
        optionsB.add("-Dacp.node.services=cluster,api,hypervisor,agent");
        try (NodeProcess a = NodeProcess.start("a", dirA, List.of(), optionsA)) {
            CliResult added = cli(a, "cluster", "add-node", "b", "--out", dirB.resolve("data").toString());
            assertThat(added.exitCode()).as("%s", added).isZero();
            Files.copy(a.dataDir().resolve("api-keys"), dirB.resolve("data/api-keys"));
            Files.copy(a.dataDir().resolve("admin.key"), dirB.resolve("data/admin.key"));
            String key = Files.readString(a.dataDir().resolve("admin.key"), StandardCharsets.UTF_8).trim();

            try (NodeProcess b = NodeProcess.start("b", dirB, List.of(), optionsB)) {
                CliResult meta = cli(b, "meta", "node", "b", "--json");
                assertThat(meta.exitCode()).as("%s", meta).isZero();
                String address = Json.MAPPER.readTree(meta.out().get(0)).get(0).path("values").path("agent").asText();
                CliResult put = cli(a, "put", "node", "b", "--spec", "{\"agent\":\"" + address + "\"}");
                assertThat(put.exitCode()).as("%s", put).isZero();
                CliResult status = cli(a, "status", "--json");
                assertThat(status.exitCode()).as("acp status beside a node with HTTP: %s", status).isZero();

                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                String api = "http://127.0.0.1:" + http + "/api/v1";

                JsonNode bStatus = get(client, key, api + "/nodes/b", 200);
                assertThat(bStatus.path("node").asText()).isEqualTo("b");
                JsonNode bServices = get(client, key, api + "/services?node=b", 200);
                assertThat(bServices.findValuesAsText("name")).contains("agent").doesNotContain("webapi");
                JsonNode aServices = get(client, key, api + "/services", 200);
                assertThat(aServices.findValuesAsText("name")).contains("webapi");
                // The packaged node builds its OpenAPI description on the first request, not at start
                // (io.quarkus.smallrye.openapi.runtime.DeferredOpenApiDocumentService): it is served whole.
                JsonNode openApi = get(client, key, api + "/openapi?format=json", 200);
                assertThat(openApi.path("paths").has("/api/v1/systems")).as("OpenAPI paths: %s", openApi.path("paths").size()).isTrue();
                assertThat(openApi.path("info").path("title").asText()).isEqualTo("ACP node REST API");

                HttpResponse<String> created = client.send(HttpRequest.newBuilder(URI.create(api + "/systems"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"vm-b\",\"start\":true,\"spec\":{\"vcpus\":1,\"memory\":64,\"node\":\"b\"}}"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                // a long operation: accepted as a task, which b runs and a routed
                assertThat(created.statusCode()).as("%s", created.body()).isEqualTo(202);
                assertThat(created.headers().firstValue("Location")).as("the task's Location").isPresent();
                Eventually.await(Duration.ofSeconds(30), () -> body(client, key, api + "/systems/vm-b?node=b").contains("\"state\":\"running\""),
                        "b runs vm-b, created through a");
                JsonNode onB = get(client, key, api + "/systems/vm-b?node=b", 200);
                assertThat(onB.toString()).contains("\"node\":\"b\"");
                // without ?node=, once sync brought the system's object to a, its owner b answers
                Eventually.await(Duration.ofSeconds(30), () -> status(client, key, api + "/systems/vm-b") == 200,
                        "GET /systems/vm-b on a is answered by its owner b");
                post(client, key, api + "/systems/vm-b/stop", 202);
                Eventually.await(Duration.ofSeconds(30), () -> body(client, key, api + "/systems/vm-b?node=b").contains("\"state\":\"stopped\""),
                        "vm-b on b is stopped, asked through a");

                JsonNode forbiddenHop = get(client, "acp_wrong", api + "/nodes/b", 401);
                assertThat(forbiddenHop.path("code").asText()).isEqualTo("unauthorized");
            }
            JsonNode gone = get(HttpClient.newHttpClient(), Files.readString(a.dataDir().resolve("admin.key")).trim(),
                    "http://127.0.0.1:" + http + "/api/v1/nodes/b", 503);
            assertThat(gone.path("code").asText()).isEqualTo("unavailable");
            assertThat(gone.path("detail").asText()).contains("b");
        }
    }

    private static int status(HttpClient client, String key, String url) {
        try {
            return client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException | InterruptedException e) {
            return -1;
        }
    }

    /** The body of a GET, empty if it was not answered 200. */
    private static String body(HttpClient client, String key, String url) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (java.io.IOException | InterruptedException e) {
            return "";
        }
    }

    private static JsonNode post(HttpClient client, String key, String url, int status) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(status);
        return Json.MAPPER.readTree(r.body());
    }

    private static JsonNode get(HttpClient client, String key, String url, int status) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(status);
        return Json.MAPPER.readTree(r.body());
    }

    private CliResult cli(NodeProcess node, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        if (!args[0].equals("cluster")) {
            all.addAll(List.of("--socket", node.socket().toString(), "--api-key",
                    Files.readString(node.dataDir().resolve("admin.key"), StandardCharsets.UTF_8).trim()));
        }
        return AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + node.dataDir(), "-Dacp.node.id=" + node.id()), CLI_LIMIT,
                all.toArray(String[]::new));
    }
}
