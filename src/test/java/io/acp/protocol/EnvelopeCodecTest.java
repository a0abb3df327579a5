package io.acp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopeCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ErrorCode codeOf(byte[] payload) {
        return catchThrowableOfType(AcpException.class, () -> EnvelopeCodec.decodeRequest(payload)).code();
    }

    @Test
    void requestRoundTrips() {
        ObjectNode args = Json.object().put("type", "node").put("id", "n1");
        Request r = new Request(7, "n2", "cluster", "get", args, "secret-key");

        Request back = EnvelopeCodec.decodeRequest(EnvelopeCodec.encode(r));

        assertThat(back).isEqualTo(r);
    }

    @Test
    void requestWithoutOptionalFieldsRoundTrips() {
        Request r = new Request(1, null, "api", "ping", Json.object(), null);
        assertThat(EnvelopeCodec.decodeRequest(EnvelopeCodec.encode(r))).isEqualTo(r);
        assertThat(new String(EnvelopeCodec.encode(r), StandardCharsets.UTF_8)).doesNotContain("key").doesNotContain("node");
    }

    @Test
    void absentOrNullArgsReadAsEmptyObject() {
        assertThat(EnvelopeCodec.decodeRequest(utf8("{\"id\":3,\"service\":\"api\",\"op\":\"ping\"}")).args()).isEqualTo(Json.object());
        assertThat(EnvelopeCodec.decodeRequest(utf8("{\"id\":3,\"service\":\"api\",\"op\":\"ping\",\"args\":null}")).args()).isEqualTo(Json.object());
    }

    @Test
    void invalidUtf8IsABadFrame() {
        byte[] payload = {'{', '"', 'i', 'd', '"', ':', '1', ',', '"', 'o', 'p', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(codeOf(payload)).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void notJsonIsABadFrame() {
        assertThat(codeOf(utf8("hello"))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(utf8("{\"id\":1,"))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(utf8("{\"id\":1,\"service\":\"api\",\"op\":\"ping\"} trailing"))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(new byte[0])).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void jsonThatIsNotAnObjectIsABadFrame() {
        assertThat(codeOf(utf8("[{\"id\":1}]"))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(utf8("42"))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(utf8("\"text\""))).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(codeOf(utf8("null"))).isEqualTo(ErrorCode.BAD_FRAME);
    }

    @Test
    void nestingDeeperThanTheLimitIsABadFrameNotAStackOverflow() {
        int depth = 100_000;
        String deep = "{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"args\":{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}}";

        AcpException e = catchThrowableOfType(AcpException.class, () -> EnvelopeCodec.decodeRequest(utf8(deep)));

        assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(e.getMessage()).contains(String.valueOf(Json.MAX_NESTING));
        assertThat(EnvelopeCodec.bestEffortId(utf8(deep))).isZero();
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        // The envelope and args take two levels.
        int inner = Json.MAX_NESTING - 2;
        String ok = "{\"id\":1,\"service\":\"api\",\"op\":\"ping\",\"args\":" + "{\"a\":".repeat(inner) + "1" + "}".repeat(inner) + "}";
        assertThat(EnvelopeCodec.decodeRequest(utf8(ok)).id()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "no id           | {'service':'api','op':'ping'}                           | 'id'",
            "id zero         | {'id':0,'service':'api','op':'ping'}                    | 'id'",
            "id negative     | {'id':-4,'service':'api','op':'ping'}                   | 'id'",
            "id text         | {'id':'7','service':'api','op':'ping'}                  | 'id'",
            "id fraction     | {'id':1.5,'service':'api','op':'ping'}                  | 'id'",
            "id too big      | {'id':99999999999999999999999,'service':'api','op':'ping'} | 'id'",
            "no service      | {'id':7,'op':'ping'}                                    | 'service'",
            "empty service   | {'id':7,'service':'','op':'ping'}                       | 'service'",
            "service number  | {'id':7,'service':1,'op':'ping'}                        | 'service'",
            "no op           | {'id':7,'service':'api'}                                | 'op'",
            "op object       | {'id':7,'service':'api','op':{}}                        | 'op'",
            "node number     | {'id':7,'node':5,'service':'api','op':'ping'}           | 'node'",
            "key number      | {'id':7,'service':'api','op':'ping','key':12}           | 'key'",
            "args array      | {'id':7,'service':'api','op':'ping','args':[]}          | 'args'",
            "args text       | {'id':7,'service':'api','op':'ping','args':'x'}         | 'args'",
    })
    void envelopeFieldsMissingOrOfTheWrongTypeAreBadRequests(String what, String json, String field) {
        AcpException e = catchThrowableOfType(AcpException.class, () -> EnvelopeCodec.decodeRequest(utf8(json.replace('\'', '"'))));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(e.getMessage()).contains(field);
    }

    @Test
    void bestEffortIdReadsTheIdOfABadRequest() {
        assertThat(EnvelopeCodec.bestEffortId(utf8("{\"id\":12,\"op\":5}"))).isEqualTo(12);
        assertThat(EnvelopeCodec.bestEffortId(utf8("[1,2]"))).isZero();
        assertThat(EnvelopeCodec.bestEffortId(utf8("garbage"))).isZero();
    }

    @Test
    void responsesOfEveryKindRoundTrip() {
        Response result = new Response.Result(7, Json.object().put("pong", true));
        Response failure = new Response.Failure(8, ErrorCode.NOT_FOUND, "object node/n9 not found");
        Response event = new Response.Event(9, Json.object().put("kind", "stats"));
        Response end = new Response.End(9);
        Response nullResult = new Response.Result(10, com.fasterxml.jackson.databind.node.NullNode.instance);

        for (Response r : new Response[] {result, failure, event, end, nullResult}) {
            assertThat(EnvelopeCodec.decodeResponse(EnvelopeCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void failureWireFormMatchesTheProtocolDoc() throws Exception {
        byte[] wire = EnvelopeCodec.encode(new Response.Failure(7, ErrorCode.FRAME_TOO_LARGE, "frame of 2000000 bytes exceeds 1048576"));
        assertThat(Json.MAPPER.readTree(wire)).isEqualTo(Json.MAPPER.readTree(
                "{\"id\":7,\"error\":{\"code\":\"frame_too_large\",\"message\":\"frame of 2000000 bytes exceeds 1048576\"}}"));
    }

    @Test
    void unknownErrorCodeFromANewerPeerReadsAsInternal() {
        Response r = EnvelopeCodec.decodeResponse(utf8("{\"id\":3,\"error\":{\"code\":\"quota_exceeded\",\"message\":\"m\"}}"));
        assertThat(r).isEqualTo(new Response.Failure(3, ErrorCode.INTERNAL, "m"));
    }

    @Test
    void responseWithNothingInItIsABadFrame() {
        assertThatThrownBy(() -> EnvelopeCodec.decodeResponse(utf8("{\"id\":3}")))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_FRAME));
    }

    @Test
    void requestToStringNeverIncludesTheKey() {
        Request r = new Request(7, "n1", "cluster", "get", Json.object().put("id", "n1"), "k3y-s3cr3t-0123456789");
        assertThat(r.toString()).doesNotContain("k3y-s3cr3t-0123456789").contains("cluster.get").contains("id=7");
        assertThat(String.valueOf(java.util.List.of(r))).doesNotContain("k3y-s3cr3t");
    }

    @Test
    void errorCodesHaveStableWireNames() {
        assertThat(ErrorCode.BAD_FRAME.wireName()).isEqualTo("bad_frame");
        assertThat(ErrorCode.fromWire("unknown_operation")).isEqualTo(ErrorCode.UNKNOWN_OPERATION);
        assertThat(ErrorCode.UNAVAILABLE.retryable()).isTrue();
        assertThat(ErrorCode.CONFLICT.retryable()).isFalse();
    }
}
