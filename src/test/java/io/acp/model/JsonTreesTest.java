package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming reader and writer give what the ObjectMapper gives, node types and bytes alike. */
class JsonTreesTest {

    private static final List<String> DOCUMENTS = List.of(
            "{}", "[]", "0", "-7", "\"x\"", "null", "true",
            "{\"id\":1,\"result\":{\"node\":\"n1\",\"uptimeMs\":12345678901,\"load\":0.25,\"big\":123456789012345678901234567890,"
                    + "\"e\":1e300,\"neg\":-0.0,\"list\":[1,\"two\",null,false,{\"x\":[]}],\"unicode\":\"é ✓ \\u0001 \\\" \\\\ /\"}}",
            "{\"a\":1,\"b\":2,\"a\":3}",
            " \n {\"spaced\" : [ 1 , 2 ] } \n",
            "{\"d\":2.70553174016E11,\"i\":2147483648,\"m\":-2147483649,\"f\":1.0}");

    @Test
    void readsWhatTheMapperReads() throws IOException {
        for (String doc : DOCUMENTS) {
            JsonNode mapper = Json.MAPPER.readTree(doc);
            JsonNode ours = JsonTrees.read(doc.getBytes(StandardCharsets.UTF_8));
            assertThat(ours).as(doc).isEqualTo(mapper);
            assertThat(JsonTrees.read(doc)).as(doc).isEqualTo(mapper);
            assertTypes(ours, mapper, doc);
            assertThat(JsonTrees.bytes(ours)).as(doc).isEqualTo(Json.MAPPER.writeValueAsBytes(mapper));
            assertThat(JsonTrees.text(ours)).as(doc).isEqualTo(Json.MAPPER.writeValueAsString(mapper)).isEqualTo(mapper.toString());
        }
    }

    @Test
    void writesBuiltTreesAsTheMapperDoes() throws JsonProcessingException {
        ObjectNode tree = JsonTrees.object();
        tree.put("float", 1.5f).put("decimal", new BigDecimal("12.50")).put("bigint", new BigInteger("99999999999999999999"))
                .put("short", (short) 3).put("binary", new byte[] {1, 2, 3}).put("text", "a\tb").putNull("nothing");
        tree.putArray("array").add(1L).add(2.0).add(JsonTrees.array());
        assertThat(JsonTrees.text(tree)).isEqualTo(Json.MAPPER.writeValueAsString(tree)).isEqualTo(tree.toString());
        assertThat(JsonTrees.bytes(tree)).isEqualTo(Json.MAPPER.writeValueAsBytes(tree));
    }

    @Test
    void anEmptyDocumentIsMissing() throws IOException {
        assertThat(JsonTrees.read(new byte[0])).isSameAs(MissingNode.getInstance()).isEqualTo(Json.MAPPER.readTree(new byte[0]));
        assertThat(JsonTrees.read("  ")).isEqualTo(Json.MAPPER.readTree("  "));
        // e.path("spec") of an entry without one, printed
        assertThat(JsonTrees.text(MissingNode.getInstance())).isEqualTo(MissingNode.getInstance().toString());
    }

    @Test
    void refusesWhatTheMapperRefusesInItsWords() {
        for (String bad : List.of("{} {}", "{\"a\":1} x", "[1,]", "{\"a\"", "nul", "{\"a\":1}}", "[" .repeat(Json.MAX_NESTING + 1))) {
            // text and bytes go to different parsers, whose words differ a little
            String fromText = message(() -> Json.MAPPER.readTree(bad));
            assertThatThrownBy(() -> JsonTrees.read(bad)).as(bad).isInstanceOf(JsonProcessingException.class)
                    .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).isEqualTo(fromText));
            byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
            String fromBytes = message(() -> Json.MAPPER.readTree(bytes));
            assertThatThrownBy(() -> JsonTrees.read(bytes)).as(bad).isInstanceOf(JsonProcessingException.class)
                    .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).isEqualTo(fromBytes));
        }
    }

    private static String message(ThrowingRead read) {
        try {
            read.run();
        } catch (JsonProcessingException e) {
            return e.getOriginalMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the mapper accepted it");
    }

    private interface ThrowingRead {
        void run() throws IOException;
    }

    private static void assertTypes(JsonNode ours, JsonNode mapper, String doc) {
        assertThat(ours.getClass()).as(doc).isEqualTo(mapper.getClass());
        if (mapper.isContainerNode()) {
            mapper.fieldNames().forEachRemaining(name -> assertTypes(ours.get(name), mapper.get(name), doc));
            for (int i = 0; mapper.isArray() && i < mapper.size(); i++) {
                assertTypes(ours.get(i), mapper.get(i), doc);
            }
        }
    }
}
