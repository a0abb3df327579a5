package io.acp.cluster.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Specs come back from the binary form as the same tree, node types included; damage is refused, never misread. */
class SpecCodecTest {

    private static ObjectNode everyKind() throws Exception {
        ObjectNode o = Json.object();
        o.putNull("null");
        o.put("false", false).put("true", true);
        o.put("int", -7).put("long", 1L << 40).put("smallLong", 5L).put("double", 2.5).put("float", 1.25f);
        o.put("string", "héllo \u0000 \uD83D\uDE00").put("empty", "");
        o.put("big", new BigInteger("123456789012345678901234567890")).put("decimal", new BigDecimal("1.50"));
        o.putArray("array").add(1).add("two").addNull().addArray().add(Json.object().put("x", 1));
        o.putObject("object").putObject("inner").put("deep", "yes");
        o.putObject("none");
        o.put("binary", new byte[] {1, 2, 3});
        o.set("parsed", Json.MAPPER.readTree("{\"n\":12345678901,\"f\":0.1,\"a\":[true,{}]}"));
        return o;
    }

    @Test
    void everyKindOfNodeRoundTripsExactly() throws Exception {
        ObjectNode spec = everyKind();
        JsonNode back = decode(SpecCodec.encode(spec));
        // binary data was a base64 string in JSON text, and still is
        ObjectNode expected = spec.deepCopy();
        expected.put("binary", spec.get("binary").asText());
        assertThat(back).isEqualTo(expected);
        assertThat(back.get("smallLong").isLong()).isTrue();
        assertThat(back.get("float").isFloat()).isTrue();
        assertThat(back.get("decimal").decimalValue()).isEqualTo(new BigDecimal("1.50"));
        assertThat(Json.MAPPER.writeValueAsString(back)).isEqualTo(Json.MAPPER.writeValueAsString(expected));
    }

    @Test
    void everyTruncationIsRefused() throws Exception {
        byte[] bytes = SpecCodec.encode(everyKind());
        for (int cut = 0; cut < bytes.length; cut++) {
            byte[] torn = Arrays.copyOf(bytes, cut);
            assertThatThrownBy(() -> decode(torn)).as("cut at %d", cut).isInstanceOf(IllegalArgumentException.class);
        }
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> decode(longer)).hasMessageContaining("stray");
    }

    @Test
    void absurdCountsTagsAndNestingAreRefused() {
        assertThatThrownBy(() -> decode(new byte[] {11, 0x7f, 0, 0, 0})).hasMessageContaining("cut short");
        assertThatThrownBy(() -> decode(new byte[] {42})).hasMessageContaining("unknown spec node tag 42");
        byte[] deep = new byte[5 * 100 + 1];
        for (int i = 0; i < 100; i++) {
            deep[5 * i] = 10; // an array of one element, 100 deep
            deep[5 * i + 4] = 1;
        }
        assertThatThrownBy(() -> decode(deep)).hasMessageContaining("nested deeper");
        // the same field twice
        byte[] twice = {11, 0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 0, 1, 'a', 0};
        assertThatThrownBy(() -> decode(twice)).hasMessageContaining("'a' twice");
    }

    private static JsonNode decode(byte[] b) {
        return SpecCodec.readWhole(new PayloadCursor(b, 0, b.length, "spec"));
    }
}
