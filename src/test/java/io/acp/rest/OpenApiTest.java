package io.acp.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.metrics.MetricsResource;
import io.acp.model.Json;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description the node serves at {@link RestPaths#OPENAPI}: generated from the
 * resources, it describes every REST operation (found here by reflection over the resource classes)
 * with an id and a summary, names every schema, and docs/protocol.md points to it.
 */
@QuarkusTest
@TestProfile(RestNodeProfile.class)
class OpenApiTest {

    private static final List<Class<?>> RESOURCES = List.of(SystemsResource.class, NetworksResource.class, PoolsResource.class,
            SharesResource.class, AlarmsResource.class, NodesResource.class, ServicesResource.class, MetricsResource.class, TasksResource.class);

    @Test
    void everyRestOperationIsDescribedAndEverySchemaNamed() throws Exception {
        JsonNode doc = Json.MAPPER.readTree(given().queryParam("format", "json").when().get(RestPaths.OPENAPI)
                .then().statusCode(200).extract().asString());
        List<String> described = new ArrayList<>();
        for (Class<?> resource : RESOURCES) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                String verb = verb(m);
                if (verb == null) {
                    continue;
                }
                Path sub = m.getAnnotation(Path.class);
                String path = sub == null ? base : base + sub.value();
                JsonNode op = doc.path("paths").path(path).path(verb);
                assertThat(op.isObject()).as("%s %s (%s.%s) is in the OpenAPI description", verb, path, resource.getSimpleName(), m.getName())
                        .isTrue();
                assertThat(op.path("operationId").asText()).as("operationId of %s %s", verb, path).isNotBlank();
                assertThat(op.path("summary").asText()).as("summary of %s %s", verb, path).isNotBlank();
                described.add(verb + " " + path);
            }
        }
        assertThat(described).hasSizeGreaterThanOrEqualTo(40);

        JsonNode schemas = doc.path("components").path("schemas");
        assertThat(schemas.size()).isPositive();
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            assertThat(name).as("schema names are plain words").matches("[A-Z][A-Za-z0-9]*");
        }
        assertThat(schemas.has("Problem")).isTrue();
        assertThat(schemas.has("SystemCreate")).isTrue();
        // every request body refers to a named schema, never an inline one
        doc.path("paths").forEach(item -> item.forEach(op -> {
            JsonNode body = op.path("requestBody").path("content").path("application/json").path("schema");
            if (!body.isMissingNode()) {
                assertThat(body.path("$ref").asText()).as("request body %s", body).startsWith("#/components/schemas/");
            }
        }));
        assertThat(doc.path("components").path("securitySchemes").path("apiKey").path("scheme").asText()).isEqualTo("bearer");
    }

    @Test
    void theProtocolDocumentPointsToTheDescription() throws Exception {
        String protocol = Files.readString(java.nio.file.Path.of("docs/protocol.md"));
        assertThat(protocol).contains(RestPaths.OPENAPI).contains("rest.md");
    }

    private static String verb(Method m) {
        if (m.isAnnotationPresent(GET.class)) {
            return "get";
        }
        if (m.isAnnotationPresent(POST.class)) {
            return "post";
        }
        if (m.isAnnotationPresent(PUT.class)) {
            return "put";
        }
        if (m.isAnnotationPresent(DELETE.class)) {
            return "delete";
        }
        if (m.isAnnotationPresent(jakarta.ws.rs.PATCH.class)) {
            return "patch";
        }
        return null;
    }
}
