package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real CLI against a real node (hypervisor on libvirt's test driver): the {@code --json}
 * output of the main list and show commands validated against the JSON Schemas in
 * src/test/resources/cli-schemas (whole numbers must be JSON integers), and the issue-17 exit
 * codes and messages from the packaged binary.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CliJsonSchemaIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @TempDir
    static Path dir;
    static NodeProcess node;

    @BeforeAll
    static void startNode() throws Exception {
        node = NodeProcess.start("hv1", dir, List.of(), List.of("-Dacp.cluster.journal.fsync=false"));
    }

    @AfterAll
    static void stopNode() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    private static CliResult acp(String... args) throws Exception {
        return node.cli(dir, CLI_LIMIT, args);
    }

    @Test
    void theMainCommandsJsonMatchesTheirSchemas() throws Exception {
        CliResult create = acp("system", "create", "web1", "--vcpus", "1", "--memory", "128", "--json");
        assertThat(create.exitCode()).as("%s", create).isZero();
        valid("status", acp("status", "--json"));
        valid("object-list", acp("get", "system", "--json"));
        valid("entry-object", acp("get", "system", "web1", "--json"));
        valid("system-list", acp("system", "list", "--json"));
        valid("system-show", acp("system", "show", "web1", "--json"));
        valid("meta", acp("meta", "system", "web1", "--json"));
        valid("stats", acp("stats", "node", "hv1", "--json"));
        valid("history", acp("stats", "node", "hv1", "--history", "1h", "--metric", "cpu,memTotal", "--json"));

        CliResult table = acp("stats", "node", "hv1");
        assertThat(table.exitCode()).as("%s", table).isZero();
        assertThat(table.out().get(0)).matches("NODE +METRIC +VALUE +TIME");
        assertThat(table.out()).anySatisfy(l -> assertThat(l).matches(" +memTotal +\\d+(\\.\\d+)? (MiB|GiB|TiB)"));
        assertThat(table.stdout()).doesNotContain("E1").doesNotContain("=");
    }

    @Test
    void unknownObjectsTyposAndInvalidValuesExitAsDocumented() throws Exception {
        for (String command : List.of("stats", "meta")) {
            CliResult r = acp(command, "system", "nope");
            assertThat(r.exitCode()).as("%s", r).isEqualTo(3);
            assertThat(r.errors()).containsExactly("acp: not_found: no object system/nope and no node reports " + command + " about it");
        }
        CliResult typo = AcpApp.cli(dir, List.of(), CLI_LIMIT, "system", "lsit");
        assertThat(typo.exitCode()).as("%s", typo).isEqualTo(2);
        assertThat(typo.errors()).containsExactly("acp: 'lsit' is not a command of 'acp system'; did you mean 'acp system list'?");
        CliResult zero = acp("system", "create", "z", "--vcpus", "1", "--memory", "0");
        assertThat(zero.exitCode()).as("%s", zero).isEqualTo(2);
        assertThat(String.join("\n", zero.err())).contains("invalid value for option '--memory': 0");
    }

    private static void valid(String schemaName, CliResult result) throws IOException {
        assertThat(result.exitCode()).as("%s", result).isZero();
        JsonNode printed = result.json();
        JsonSchema schema;
        try (InputStream in = CliJsonSchemaIT.class.getResourceAsStream("/cli-schemas/" + schemaName + ".json")) {
            schema = SCHEMAS.getSchema(Json.MAPPER.readTree(in));
        }
        Set<ValidationMessage> problems = schema.validate(printed);
        assertThat(problems).as("%s against cli-schemas/%s.json: %s", printed, schemaName, problems).isEmpty();
    }
}
