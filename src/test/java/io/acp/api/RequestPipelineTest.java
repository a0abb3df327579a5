package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.security.CertificateAuthority;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request pipeline every transport calls, on the node's real key store, failure limiter, role
 * table and dispatcher: each identity source's typed outcome, the order of gate and authentication,
 * and that a refused request runs nothing and checks no key it need not.
 */
class RequestPipelineTest {

    @TempDir
    Path dir;

    private final AtomicInteger writes = new AtomicInteger();
    private AuthFailureLimiter limiter;
    private RequestPipeline pipeline;

    /** A service whose one operation (not in the role table, so admin's) counts its runs. */
    private final ServiceOperations probe = new ServiceOperations() {
        @Override
        public String service() {
            return "probe";
        }

        @Override
        public List<String> operations() {
            return List.of("write");
        }

        @Override
        public Outcome call(Request request, Session session) {
            writes.incrementAndGet();
            return Outcome.of(Json.object().put("by", session.identity().name()));
        }
    };

    @BeforeEach
    void node() throws Exception {
        TestNode.writeKeys(dir);
        // One failure a second per peer: the second wrong key in a row is already refused unchecked.
        limiter = new AuthFailureLimiter(1);
        pipeline = new RequestPipeline("n1", ApiKeyStore.open(dir), limiter, new Dispatcher("n1", List.of(new ApiOperations("n1"), probe)));
    }

    private static RequestGate closed(String refusal) {
        return new RequestGate() {
            @Override
            public boolean admit() {
                return false;
            }

            @Override
            public String refusal() {
                return refusal;
            }
        };
    }

    private static Session as(ApiIdentity who) {
        return RoutedRequestTest.as(who, null);
    }

    @Test
    void aKeyIsAdmittedAsItsNameAndRoleAndAWrongOneCountsAgainstItsPeerOnly() {
        assertThat(pipeline.admit(RequestGate.OPEN, new Credential.Key(TestNode.OPERATOR_KEY, "addr:10.0.0.1")))
                .isEqualTo(new Admission.Admitted(new ApiIdentity("ops", Role.OPERATOR)));

        Admission wrong = pipeline.admit(RequestGate.OPEN, new Credential.Key("acp_guess", "addr:10.0.0.66"));
        assertThat(wrong).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Admission.Reason.WRONG_CREDENTIAL);
            assertThat(r.error().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
        });
        // the guesser's next try, even with the right key, is not checked at all
        Admission next = pipeline.admit(RequestGate.OPEN, new Credential.Key(TestNode.ADMIN_KEY, "addr:10.0.0.66"));
        assertThat(next).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Admission.Reason.TOO_MANY_FAILURES);
            assertThat(r.reason().failedAuthentication()).isTrue();
            assertThat(r.error().code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(r.error().getMessage()).isEqualTo("too many failed authentications from addr:10.0.0.66 on node n1; retry in a second");
        });
        // another peer is not locked out
        assertThat(pipeline.authenticate(new Credential.Key(TestNode.ADMIN_KEY, "addr:10.0.0.2")))
                .isEqualTo(new Admission.Admitted(new ApiIdentity("root", Role.ADMIN)));
    }

    @Test
    void aClosedGateRefusesBeforeAnyKeyIsChecked() {
        Admission refused = pipeline.admit(closed("10.0.0.9 sends too much"), new Credential.Key("acp_guess", "addr:10.0.0.9"));
        assertThat(refused).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Admission.Reason.RATE);
            assertThat(r.reason().failedAuthentication()).isFalse();
            assertThat(r.error().code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(r.error().getMessage()).isEqualTo("10.0.0.9 sends too much");
        });
        assertThat(limiter.peers()).as("no failure counted: the key was never looked at").isZero();
    }

    @Test
    void aCallersGateIsAskedOnlyOnceTheCallerIsKnown() {
        AtomicInteger asked = new AtomicInteger();
        Admission wrong = pipeline.admit(new Credential.Key("acp_guess", "addr:10.0.0.7"), who -> {
            asked.incrementAndGet();
            return RequestGate.OPEN;
        });
        assertThat(wrong).isInstanceOf(Admission.Refused.class);
        assertThat(asked).as("a caller that did not authenticate takes nothing from anyone's rate").hasValue(0);

        Admission limited = pipeline.admit(new Credential.Key(TestNode.READER_KEY, "addr:10.0.0.8"), who -> closed("key '" + who.name() + "' is over"));
        assertThat(limited).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Admission.Reason.RATE);
            assertThat(r.error().getMessage()).isEqualTo("key 'viewer' is over");
        });
    }

    @Test
    void aVouchedCallerIsBelievedOnlyFromANodeCertificate() {
        Request.Caller root = new Request.Caller("root", "admin");
        assertThat(pipeline.authenticate(new Credential.Vouched(root, null))).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.reason()).isEqualTo(Admission.Reason.NOT_A_NODE);
            assertThat(r.error().code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(r.error().getMessage()).isEqualTo("rule node-only: a request 'as' another caller is accepted only from a node certificate on the agent");
        });
        assertThat(pipeline.authenticate(new Credential.Vouched(root, new AgentPeer("alice", false)))).isInstanceOfSatisfying(Admission.Refused.class,
                r -> assertThat(r.error().getMessage()).endsWith("; certificate 'alice' is not a node's"));
        assertThat(pipeline.authenticate(new Credential.Vouched(new Request.Caller("root", "god"), new AgentPeer("n2", true))))
                .isInstanceOfSatisfying(Admission.Refused.class, r -> {
                    assertThat(r.reason()).isEqualTo(Admission.Reason.BAD_CALLER);
                    assertThat(r.reason().failedAuthentication()).isFalse();
                    assertThat(r.error().code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(r.error().getMessage()).startsWith("request from node n2: unknown role 'god'");
                });
        assertThat(pipeline.authenticate(new Credential.Vouched(root, new AgentPeer("n2", true))))
                .isEqualTo(new Admission.Admitted(new ApiIdentity("root", Role.ADMIN, "n2")));
        assertThat(limiter.peers()).as("a vouched caller has no key to guess").isZero();
    }

    @Test
    void anOperatorCertificateIsItsNameAndRole() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("lab");
        var key = CertificateAuthority.newKeyPair().getPublic();
        X509Certificate alice = ca.issueOperator("alice", "operator", key, Duration.ofDays(1));
        assertThat(pipeline.authenticate(new Credential.OperatorCertificate(alice)))
                .isEqualTo(new Admission.Admitted(new ApiIdentity("cert:alice", Role.OPERATOR)));
        X509Certificate odd = ca.issueOperator("odd", "superuser", key, Duration.ofDays(1));
        assertThat(pipeline.authenticate(new Credential.OperatorCertificate(odd))).isInstanceOfSatisfying(Admission.Refused.class, r -> {
            assertThat(r.error().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(r.error().getMessage()).contains("names role 'superuser'");
        });
    }

    @Test
    void dispatchAuthorizesBeforeAnythingRuns() {
        Request write = new Request(1, null, "probe", "write", Json.object(), null);
        assertThatThrownBy(() -> pipeline.dispatch(write, as(new ApiIdentity("ops", Role.OPERATOR))))
                .isInstanceOfSatisfying(AcpException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).startsWith("rule roles: probe.write needs admin; key 'ops' has role operator");
                });
        assertThat(writes).as("a refused request runs nothing").hasValue(0);

        Outcome done = pipeline.dispatch(write, as(new ApiIdentity("root", Role.ADMIN)));
        assertThat(((Outcome.Single) done).result().await().indefinitely().path("by").asText()).isEqualTo("root");
        assertThat(writes).hasValue(1);

        assertThatThrownBy(() -> pipeline.dispatch(new Request(2, null, "nope", "x", Json.object(), null), as(new ApiIdentity("root", Role.ADMIN))))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_SERVICE));
    }
}
