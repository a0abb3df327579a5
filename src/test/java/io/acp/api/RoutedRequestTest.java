package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a node puts on the wire when it routes a request: the caller's name and role, never the
 * key; and what the receiving side of a hop refuses. The router here only records (the real path
 * through two agents is RemoteRoutingTest's); the frames are encoded and decoded for real.
 */
class RoutedRequestTest {

    private final List<Request> sent = new ArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher("n1", List.of(new ApiOperations("n1")));

    /** A session of {@code who} on a connection that showed {@code peer} (null: none). */
    static Session as(ApiIdentity who, AgentPeer peer) {
        return new Session() {
            @Override
            public ApiIdentity identity() {
                return who;
            }

            @Override
            public boolean cancelStream(long streamId) {
                return false;
            }

            @Override
            public AgentPeer peer() {
                return peer;
            }
        };
    }

    @Test
    void aRoutedRequestCarriesTheCallerAndNeverTheKey() {
        dispatcher.routeRemoteThrough(r -> {
            sent.add(EnvelopeCodec.decodeRequest(EnvelopeCodec.encode(r)));
            return Uni.createFrom().item((JsonNode) Json.object());
        });
        Request fromClient = new Request(7, "n2", "api", "ping", Json.object(), "acp_the-admins-secret-key");
        ((Outcome.Single) dispatcher.dispatch(fromClient, as(new ApiIdentity("root", Role.ADMIN), null))).result().await().indefinitely();
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.key()).isNull();
            assertThat(r.caller()).isEqualTo(new Request.Caller("root", "admin"));
            assertThat(r.node()).isEqualTo("n2");
        });
        assertThat(new String(EnvelopeCodec.encode(sent.get(0)))).doesNotContain("acp_the-admins-secret-key");
    }

    @Test
    void aRequestThatCameThroughAnAgentIsNotCarriedOn() {
        dispatcher.routeRemoteThrough(r -> {
            sent.add(r);
            return Uni.createFrom().item((JsonNode) Json.object());
        });
        Request onward = new Request(8, "n3", "api", "ping", Json.object(), null);
        assertThatThrownBy(() -> dispatcher.localOnly().dispatch(onward, as(new ApiIdentity("root", Role.ADMIN, "n2"), new AgentPeer("n2", true))))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("requests travel one hop");
                });
        assertThat(sent).isEmpty();
    }
}
