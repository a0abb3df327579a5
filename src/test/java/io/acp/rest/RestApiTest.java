package io.acp.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.acp.api.ApiConfig;
import io.acp.api.ApiService;
import io.acp.api.LocalServices;
import io.acp.cluster.service.ClusterService;
import io.acp.framework.ServiceManager;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The REST API of a running node (cluster, api, webapi, hypervisor on libvirt's test driver,
 * storage) through real HTTP: every resource and action, each role allowed and refused (and a
 * refusal changes nothing), bad input answered as problem details while the node stays healthy,
 * and requests for another node going the dispatcher's routing way.
 */
@QuarkusTest
@TestProfile(RestNodeProfile.class)
@Timeout(120)
class RestApiTest {

    @Inject
    ServiceManager manager;

    @Inject
    ClusterService cluster;

    @Inject
    ApiService api;

    @Inject
    ApiConfig apiConfig;

    @Inject
    Vertx vertx;

    @BeforeEach
    void node() throws Exception {
        RestNode.start(manager);
    }

    private static RequestSpecification as(String key) {
        return given().header("Authorization", RestNode.bearer(key)).contentType(ContentType.JSON);
    }

    /** A problem answer: its status, media type and stable code. */
    private static ValidatableResponse problem(ValidatableResponse r, int status, String code) {
        return r.statusCode(status)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(status))
                .body("code", equalTo(code))
                .body("type", equalTo("urn:acp:error:" + code));
    }

    // ---- the operation catalogue --------------------------------------------------------------

    /**
     * The operations CDI collected (every {@code OperationSet} bean, through {@code @All}) are
     * exactly those of the sets built by hand over the same services: the same services, the
     * same operation names in the same order.
     */
    @Test
    void theOperationSetsCdiFindsOfferWhatTheHandBuiltOnesOffer() {
        ApiService byHand = new ApiService(apiConfig, "n1", Path.of("unused"),
                LocalServices.of("n1", cluster::cdb), null, vertx, "0");
        assertThat(api.operations()).isEqualTo(byHand.operations());
        assertThat(api.operations().keySet())
                .containsExactly("api", "cluster", "console", "framework", "hypervisor", "monitor", "network", "storage", "task");
    }

    // ---- authentication -----------------------------------------------------------------------

    @Test
    void withoutAKeyOrWithAWrongOneNothingIsAnswered() {
        problem(given().when().get("/api/v1/services").then(), 401, "unauthorized")
                .header("WWW-Authenticate", startsWith("Bearer"));
        problem(given().header("Authorization", "Bearer acp_wrong").when().get("/api/v1/services").then(), 401, "unauthorized");
        problem(given().header("Authorization", "Basic YWRtaW46YWRtaW4=").when().get("/api/v1/services").then(), 401, "unauthorized");
    }

    // ---- templates ----------------------------------------------------------------------------

    @Test
    void templatesAreListedByEveryRoleAndMadeOnlyByOperatorsFromSystemsThatExist() {
        for (String key : new String[] {RestNode.READER, RestNode.OPERATOR, RestNode.ADMIN}) {
            as(key).when().get("/api/v1/templates").then().statusCode(200);
        }
        problem(as(RestNode.READER).body("{\"id\":\"t1\",\"from\":\"vm1\"}").when().post("/api/v1/templates").then(), 403, "forbidden");
        problem(as(RestNode.OPERATOR).when().get("/api/v1/templates/nope").then(), 404, "not_found");
        problem(as(RestNode.OPERATOR).body("{\"id\":\"t1\"}").when().post("/api/v1/templates").then(), 400, "bad_request");
        as(RestNode.ADMIN).when().get("/api/v1/templates").then().statusCode(200).body("id", not(hasItem("t1")));
    }

    // ---- services and nodes -------------------------------------------------------------------

    @Test
    void servicesAndNodesAreReadByEveryRole() {
        for (String key : new String[] {RestNode.READER, RestNode.OPERATOR, RestNode.ADMIN}) {
            as(key).when().get("/api/v1/services").then().statusCode(200).body("name", hasItem("webapi"));
        }
        as(RestNode.READER).when().get("/api/v1/services/api").then().statusCode(200).body("state", equalTo("running"));
        problem(as(RestNode.READER).when().get("/api/v1/services/nope").then(), 404, "not_found")
                .body("detail", containsString("service nope"));
        as(RestNode.READER).when().get("/api/v1/nodes/a").then().statusCode(200).body("node", equalTo("a"));
        as(RestNode.READER).when().get("/api/v1/nodes").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/nodes/a/meta").then().statusCode(200).body("node", hasItem("a"));
        as(RestNode.READER).when().get("/api/v1/nodes/a/stats").then().statusCode(200);
        // no primary monitor runs here: the monitor's own answer, as on every transport
        problem(as(RestNode.READER).when().get("/api/v1/health").then(), 503, "unavailable");
    }

    @Test
    void nodesAreEvacuatedAndResumedByAdminsOnlyAsTasks() {
        ObjectKey a = ObjectKey.of(ObjectType.NODE, "a");
        // an operator and a reader are refused before anything is written
        problem(as(RestNode.OPERATOR).body("{}").when().post("/api/v1/nodes/a/evacuate").then(), 403, "forbidden")
                .body("detail", containsString("hypervisor.node-evacuate needs admin"));
        problem(as(RestNode.READER).when().post("/api/v1/nodes/a/resume").then(), 403, "forbidden");
        assertThat(cluster.cdb().object(a).map(e -> e.spec().has("unschedulable")).orElse(false)).isFalse();
        io.restassured.path.json.JsonPath self = finished(as(RestNode.ADMIN).body("{\"to\":\"a\"}").when().post("/api/v1/nodes/a/evacuate").then());
        assertThat(self.getString("error.code")).isEqualTo("bad_request");
        assertThat(cluster.cdb().object(a).map(e -> e.spec().has("unschedulable")).orElse(false)).as("a refused evacuation marks nothing").isFalse();

        io.restassured.path.json.JsonPath task = finished(as(RestNode.ADMIN).body("{}").when().post("/api/v1/nodes/a/evacuate").then());
        assertThat(task.getString("state")).as("%s", task.prettify()).isEqualTo("ok");
        assertThat(task.getString("op")).isEqualTo("hypervisor.node-evacuate");
        assertThat(task.getString("object")).isEqualTo("node/a");
        as(RestNode.READER).when().get("/api/v1/nodes").then().statusCode(200)
                .body("find { it.id == 'a' }.spec.unschedulable.by", equalTo("admin"))
                .body("find { it.id == 'a' }.spec.evacuation.state", equalTo("done"));
        // the node's own status (what `acp status` prints) says so too
        as(RestNode.READER).when().get("/api/v1/nodes/a").then().statusCode(200).body("schedulable", equalTo(false));
        // a create that names the unschedulable node is refused, naming the rule and the node
        io.restassured.path.json.JsonPath refused = finished(as(RestNode.OPERATOR)
                .body("{\"id\":\"vm-late\",\"spec\":{\"vcpus\":1,\"memory\":64,\"node\":\"a\"}}").when().post("/api/v1/systems").then());
        assertThat(refused.getString("state")).isEqualTo("failed");
        assertThat(refused.getString("error.message")).contains("rule unschedulable", "node a");
        assertThat(cluster.cdb().object(ObjectKey.of(ObjectType.SYSTEM, "vm-late"))).isEmpty();

        assertThat(finished(as(RestNode.ADMIN).when().post("/api/v1/nodes/a/resume").then()).getString("state")).isEqualTo("ok");
        assertThat(cluster.cdb().object(a).map(e -> e.spec().has("unschedulable")).orElse(true)).isFalse();
        as(RestNode.READER).when().get("/api/v1/nodes/a").then().statusCode(200).body("schedulable", equalTo(true));
    }

    // ---- networks -----------------------------------------------------------------------------

    @Test
    void networksAreCreatedUpdatedAndDeletedByAdminsOnly() {
        String lan = "{\"id\":\"lan\",\"subtype\":\"vlan\",\"spec\":{\"uplink\":\"eth0\",\"vlan\":100}}";
        problem(as(RestNode.READER).body(lan).when().post("/api/v1/networks").then(), 403, "forbidden")
                .body("detail", containsString("read-only"));
        problem(as(RestNode.READER).when().get("/api/v1/networks/lan").then(), 404, "not_found");

        // networks are host infrastructure: admin's, not an operator's (docs/security.md, roles)
        problem(as(RestNode.OPERATOR).body(lan).when().post("/api/v1/networks").then(), 403, "forbidden");
        as(RestNode.ADMIN).body(lan).when().post("/api/v1/networks").then().statusCode(200).body("spec.vlan", equalTo(100));
        as(RestNode.READER).when().get("/api/v1/networks").then().statusCode(200).body("id", hasItem("lan"));
        as(RestNode.READER).when().get("/api/v1/networks/lan").then().statusCode(200).body("subtype", equalTo("vlan"));

        problem(as(RestNode.READER).body("{\"spec\":{\"uplink\":\"eth0\",\"vlan\":200}}").when().put("/api/v1/networks/lan").then(),
                403, "forbidden");
        as(RestNode.ADMIN).body("{\"spec\":{\"uplink\":\"eth0\",\"vlan\":200}}").when().put("/api/v1/networks/lan").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/networks/lan").then().statusCode(200).body("spec.vlan", equalTo(200));
        problem(as(RestNode.ADMIN).body("{\"spec\":{\"uplink\":\"eth0\",\"vlan\":5000}}").when().put("/api/v1/networks/lan").then(),
                400, "bad_request").body("detail", containsString("network lan: invalid VLAN id 5000"));
        problem(as(RestNode.ADMIN).body("{\"spec\":{\"vlan\":300}}").when().put("/api/v1/networks/lan").then(),
                400, "bad_request").body("detail", containsString("network lan: needs 'uplink'"));
        as(RestNode.READER).when().get("/api/v1/networks/lan").then().statusCode(200).body("spec.vlan", equalTo(200))
                .body("spec.uplink", equalTo("eth0"));
        problem(as(RestNode.ADMIN).body("{\"spec\":{\"uplink\":\"eth0\",\"vlan\":300},\"ifVersion\":\"1@x\"}").when()
                .put("/api/v1/networks/lan").then(), 409, "conflict");

        // attach runs on the node's network service, which this node does not run
        problem(as(RestNode.ADMIN).body("{\"interface\":\"veth1\"}").when().post("/api/v1/networks/lan/attach").then(), 503, "unavailable");
        problem(as(RestNode.ADMIN).body("{\"interface\":\"veth1\"}").when().post("/api/v1/networks/lan/detach").then(), 503, "unavailable");
        problem(as(RestNode.READER).body("{\"interface\":\"veth1\"}").when().post("/api/v1/networks/lan/attach").then(), 403, "forbidden");

        problem(as(RestNode.READER).when().delete("/api/v1/networks/lan").then(), 403, "forbidden");
        as(RestNode.READER).when().get("/api/v1/networks/lan").then().statusCode(200);
        as(RestNode.ADMIN).when().delete("/api/v1/networks/lan").then().statusCode(200).body("deleted", equalTo(true));
        problem(as(RestNode.READER).when().get("/api/v1/networks/lan").then(), 404, "not_found");
    }

    // ---- pools and volumes --------------------------------------------------------------------

    @Test
    void poolsAndVolumesGoThroughTheStorageService() {
        String root = Path.of(RestNodeProfile.DIR, "data", "pools", "images").toAbsolutePath().toString();
        String pool = "{\"id\":\"images\",\"spec\":{\"kind\":\"dir\",\"path\":\"" + root + "\"}}";
        problem(as(RestNode.READER).body(pool).when().post("/api/v1/pools").then(), 403, "forbidden");
        problem(as(RestNode.READER).when().get("/api/v1/pools/images").then(), 404, "not_found");

        // pools are host infrastructure: admin's; volumes in them are an operator's
        problem(as(RestNode.OPERATOR).body(pool).when().post("/api/v1/pools").then(), 403, "forbidden");
        as(RestNode.ADMIN).body(pool).when().post("/api/v1/pools").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/pools").then().statusCode(200).body("id", hasItem("images"));
        as(RestNode.READER).when().get("/api/v1/pools/images").then().statusCode(200).body("subtype", equalTo("pool"));

        String volume = "{\"name\":\"web1\",\"size\":\"4M\",\"format\":\"raw\"}";
        problem(as(RestNode.READER).body(volume).when().post("/api/v1/pools/images/volumes").then(), 403, "forbidden");
        as(RestNode.OPERATOR).body(volume).when().post("/api/v1/pools/images/volumes").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/pools/images/volumes").then().statusCode(200).body("name", hasItem("web1"));
        as(RestNode.READER).when().get("/api/v1/pools/images/volumes/web1").then().statusCode(200).body("capacity", equalTo(4 << 20));
        problem(as(RestNode.READER).when().get("/api/v1/pools/images/volumes/nope").then(), 404, "not_found");
        problem(as(RestNode.READER).body("{\"size\":\"8M\"}").when().put("/api/v1/pools/images/volumes/web1").then(), 403, "forbidden");
        as(RestNode.OPERATOR).body("{\"size\":\"8M\"}").when().put("/api/v1/pools/images/volumes/web1").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/pools/images/volumes/web1").then().statusCode(200).body("capacity", equalTo(8 << 20));
        problem(as(RestNode.READER).when().delete("/api/v1/pools/images/volumes/web1").then(), 403, "forbidden");
        as(RestNode.OPERATOR).when().delete("/api/v1/pools/images/volumes/web1").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/pools/images/volumes").then().statusCode(200).body("name", not(hasItem("web1")));

        String update = "{\"spec\":{\"kind\":\"dir\",\"path\":\"" + root + "\"}}";
        problem(as(RestNode.READER).body(update).when().put("/api/v1/pools/images").then(), 403, "forbidden");
        as(RestNode.ADMIN).body(update).when().put("/api/v1/pools/images").then().statusCode(200).body("subtype", equalTo("pool"));
        ObjectKey images = ObjectKey.of(ObjectType.STORAGE, "images");
        var stored = cluster.cdb().object(images).orElseThrow();
        problem(as(RestNode.ADMIN).body("{\"spec\":{\"kind\":\"nfs\",\"path\":\"relative\"}}").when().put("/api/v1/pools/images").then(),
                400, "bad_request").body("detail", containsString("pool images: field 'kind' must be one of dir, lvm, lvm-thin, libvirt"));
        assertThat(cluster.cdb().object(images)).as("the refused put changed nothing").contains(stored);
        problem(as(RestNode.READER).when().delete("/api/v1/pools/images").then(), 403, "forbidden");
        problem(as(RestNode.OPERATOR).when().delete("/api/v1/pools/images").then(), 403, "forbidden");
        as(RestNode.ADMIN).when().delete("/api/v1/pools/images").then().statusCode(200);
        problem(as(RestNode.READER).when().get("/api/v1/pools/images").then(), 404, "not_found");
    }

    // ---- shares -------------------------------------------------------------------------------

    @Test
    void sharesAreListedAndABadShareIsRefusedWithTheStorageServicesReason() {
        as(RestNode.READER).when().get("/api/v1/shares").then().statusCode(200);
        problem(as(RestNode.READER).body("{\"id\":\"nfs1\",\"spec\":{\"kind\":\"nfs\"}}").when().post("/api/v1/shares").then(), 403, "forbidden");
        problem(as(RestNode.OPERATOR).body("{\"id\":\"nfs1\",\"spec\":{\"kind\":\"nfs\"}}").when().post("/api/v1/shares").then(), 403, "forbidden");
        problem(as(RestNode.ADMIN).body("{\"id\":\"nfs1\",\"spec\":{\"kind\":\"nfs\"}}").when().post("/api/v1/shares").then(), 400, "bad_request");
        problem(as(RestNode.READER).when().get("/api/v1/shares/nfs1").then(), 404, "not_found");
        problem(as(RestNode.ADMIN).when().delete("/api/v1/shares/nfs1").then(), 404, "not_found");
        problem(as(RestNode.READER).when().delete("/api/v1/shares/nfs1").then(), 403, "forbidden");
        problem(as(RestNode.READER).body("{\"spec\":{}}").when().put("/api/v1/shares/nfs1").then(), 403, "forbidden");
    }

    // ---- systems ------------------------------------------------------------------------------

    /**
     * A long operation's answer: 202, the task at its Location, running or already done; then the
     * task polled until it ends (bounded), as a client would.
     */
    private static io.restassured.path.json.JsonPath finished(ValidatableResponse accepted) {
        String location = accepted.statusCode(202)
                .header("Location", containsString("/api/v1/tasks/"))
                .body("state", org.hamcrest.Matchers.oneOf("running", "ok", "failed"))
                .extract().header("Location");
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            io.restassured.path.json.JsonPath task = as(RestNode.READER).when().get(location).then().statusCode(200).extract().jsonPath();
            if (!task.getString("state").equals("running")) {
                return task;
            }
            assertThat(Instant.now()).as("task %s ends within 30 s", location).isBefore(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while polling " + location, e);
            }
        }
    }

    @Test
    void aSystemIsCreatedRunAndDeletedAndReadersMayOnlyLook() {
        String vm = "{\"id\":\"vm1\",\"start\":true,\"spec\":{\"vcpus\":1,\"memory\":64,\"node\":\"a\"}}";
        problem(as(RestNode.READER).body(vm).when().post("/api/v1/systems").then(), 403, "forbidden");
        problem(as(RestNode.READER).when().get("/api/v1/systems/vm1").then(), 404, "not_found");

        io.restassured.path.json.JsonPath created = finished(as(RestNode.OPERATOR).body(vm).when().post("/api/v1/systems").then());
        assertThat(created.getString("state")).isEqualTo("ok");
        assertThat(created.getString("op")).isEqualTo("hypervisor.create");
        assertThat(created.getString("user")).isEqualTo("operator");
        as(RestNode.READER).when().get("/api/v1/systems").then().statusCode(200).body("id", hasItem("vm1"));
        as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200);

        for (String action : new String[] {"start", "pause", "resume", "stop", "shutdown", "restart"}) {
            problem(as(RestNode.READER).when().post("/api/v1/systems/vm1/" + action).then(), 403, "forbidden")
                    .body("detail", containsString(action));
        }
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/pause").then().statusCode(200).body("state", equalTo("paused"));
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/resume").then().statusCode(200).body("state", equalTo("running"));
        assertThat(finished(as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/stop").then()).getString("state")).isEqualTo("ok");
        as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200).body("meta.state", equalTo("stopped"));
        assertThat(finished(as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/start").then()).getString("state")).isEqualTo("ok");
        assertThat(finished(as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/restart").then()).getString("state")).isEqualTo("ok");
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/pause").then().statusCode(200).body("state", equalTo("paused"));

        problem(as(RestNode.READER).body("{\"to\":\"b\"}").when().post("/api/v1/systems/vm1/migrate").then(), 403, "forbidden");
        // b has no agent this node can reach: the hypervisor's own refusal, in the task; the system stays here
        io.restassured.path.json.JsonPath migration = finished(as(RestNode.OPERATOR).body("{\"to\":\"b\",\"live\":true}").when()
                .post("/api/v1/systems/vm1/migrate").then());
        assertThat(migration.getString("state")).isEqualTo("failed");
        assertThat(migration.getString("error.code")).isNotBlank();
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/resume").then().statusCode(200).body("state", equalTo("running"));

        problem(as(RestNode.READER).body("{\"spec\":{\"vcpus\":2,\"memory\":64,\"node\":\"a\"}}").when().put("/api/v1/systems/vm1").then(),
                403, "forbidden");
        as(RestNode.OPERATOR).body("{\"spec\":{\"vcpus\":2,\"memory\":64,\"node\":\"a\"}}").when().put("/api/v1/systems/vm1").then()
                .statusCode(200).body("spec.vcpus", equalTo(2));
        // A spec the hypervisor would refuse is refused at the put: stored, it would have left the running system without
        // a node and beyond stop, start and delete (each parses the stored spec), until someone put a valid one back.
        String versionBefore = as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200).extract().path("object.version");
        problem(as(RestNode.OPERATOR).body("{\"spec\":{\"vcpus\":0,\"memory\":1,\"bogus\":true}}").when().put("/api/v1/systems/vm1").then(),
                400, "bad_request").body("detail", containsString("system vm1: field 'bogus' is not a field of a system spec"));
        problem(as(RestNode.ADMIN).body("{\"spec\":{\"vcpus\":0,\"memory\":64,\"node\":\"a\"}}").when().put("/api/v1/systems/vm1").then(),
                400, "bad_request").body("detail", containsString("system vm1: field 'vcpus' must be an integer from 1 to 256, got 0"));
        as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200)
                .body("object.version", equalTo(versionBefore)).body("object.spec.vcpus", equalTo(2)).body("object.spec.node", equalTo("a"));
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/pause").then().statusCode(200).body("state", equalTo("paused"));
        as(RestNode.OPERATOR).when().post("/api/v1/systems/vm1/resume").then().statusCode(200).body("state", equalTo("running"));

        problem(as(RestNode.READER).when().delete("/api/v1/systems/vm1").then(), 403, "forbidden");
        as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200);
        // running: the delete's task is refused and the system runs on, until it is asked with force
        io.restassured.path.json.JsonPath refused = finished(as(RestNode.OPERATOR).when().delete("/api/v1/systems/vm1").then());
        assertThat(refused.getString("state")).isEqualTo("failed");
        assertThat(refused.getString("error.code")).isEqualTo("conflict");
        assertThat(refused.getString("error.message")).contains("rule running-delete: system vm1 is running on node a");
        as(RestNode.READER).when().get("/api/v1/systems/vm1").then().statusCode(200).body("meta.state", equalTo("running"))
                .body("object.spec.vcpus", equalTo(2));
        assertThat(finished(as(RestNode.OPERATOR).queryParam("force", true).when().delete("/api/v1/systems/vm1").then()).getString("state"))
                .isEqualTo("ok");
        problem(as(RestNode.READER).when().get("/api/v1/systems/vm1").then(), 404, "not_found");

        // the audit trail of all that, readable by a reader, filtered by user
        as(RestNode.READER).queryParam("user", "operator").queryParam("since", "1h").when().get("/api/v1/tasks").then().statusCode(200)
                .body("op", hasItem("hypervisor.create"))
                .body("op", hasItem("hypervisor.migrate"))
                .body("op", hasItem("cluster.put"))
                .body("find { it.op == 'cluster.put' && it.state == 'ok' }.changes.path", hasItem("/vcpus"))
                .body("findAll { it.op == 'cluster.put' && it.state == 'failed' }.error.code", hasItem("bad_request"));
        problem(as(RestNode.READER).when().get("/api/v1/tasks/a:1:1").then(), 404, "not_found");
    }

    @Test
    void aSystemIsBackedUpAndRestoredAsTasksByOperatorsOnly() throws Exception {
        String root = Path.of(RestNodeProfile.DIR, "data", "pools", "vault").toAbsolutePath().toString();
        as(RestNode.ADMIN).body("{\"id\":\"vault\",\"spec\":{\"kind\":\"dir\",\"path\":\"" + root + "\"}}").when().post("/api/v1/pools").then()
                .statusCode(200);
        as(RestNode.OPERATOR).body("{\"name\":\"bk1\",\"size\":\"1M\",\"format\":\"raw\"}").when().post("/api/v1/pools/vault/volumes").then()
                .statusCode(200);
        Instant usable = Instant.now().plusSeconds(30);
        while (!"ok".equals(cluster.cdb().meta(ObjectKey.of(ObjectType.STORAGE, "vault"), "a").stream().map(m -> m.values().path("state").asText()).findFirst().orElse(""))) {
            assertThat(Instant.now()).as("pool vault usable on node a within 30 s").isBefore(usable);
            Thread.sleep(50);
        }
        String vm = "{\"id\":\"bk1\",\"spec\":{\"vcpus\":1,\"memory\":64,\"node\":\"a\",\"disks\":[{\"pool\":\"vault\",\"volume\":\"bk1\",\"format\":\"raw\"}]}}";
        assertThat(finished(as(RestNode.OPERATOR).body(vm).when().post("/api/v1/systems").then()).getString("state")).isEqualTo("ok");

        problem(as(RestNode.READER).body("{\"to\":\"vault\"}").when().post("/api/v1/systems/bk1/backups").then(), 403, "forbidden")
                .body("detail", containsString("backup"));
        problem(as(RestNode.OPERATOR).when().post("/api/v1/systems/bk1/backups").then(), 400, "bad_request");
        io.restassured.path.json.JsonPath made = finished(as(RestNode.OPERATOR).body("{\"to\":\"vault\"}").when().post("/api/v1/systems/bk1/backups").then());
        assertThat(made.getString("state")).as("%s", made.prettify()).isEqualTo("ok");
        assertThat(made.getString("op")).isEqualTo("hypervisor.backup");
        String backup; // a task records no result: the backup is found where it was written
        try (java.util.stream.Stream<Path> made1 = java.nio.file.Files.list(Path.of(root, ".acp-backups"))) {
            backup = made1.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("bk1.")).findFirst().orElseThrow();
        }
        assertThat(Json.MAPPER.readTree(Path.of(root, ".acp-backups", backup, "manifest.json").toFile()).path("kind").asText())
                .as("a stopped system: a plain copy").isEqualTo("copy");

        String restore = "{\"from\":\"vault\",\"backup\":\"" + backup + "\",\"as\":\"bk2\"}";
        problem(as(RestNode.READER).body(restore).when().post("/api/v1/systems/bk1/restore").then(), 403, "forbidden");
        problem(as(RestNode.READER).when().get("/api/v1/systems/bk2").then(), 404, "not_found");
        io.restassured.path.json.JsonPath missing = finished(as(RestNode.OPERATOR).body("{\"from\":\"vault\",\"backup\":\"bk1.nope\",\"as\":\"bk2\"}")
                .when().post("/api/v1/systems/bk1/restore").then());
        assertThat(missing.getString("state")).isEqualTo("failed");
        assertThat(missing.getString("error.message")).contains("pool vault on node a has no complete backup bk1.nope");
        io.restassured.path.json.JsonPath restored = finished(as(RestNode.OPERATOR).body(restore).when().post("/api/v1/systems/bk1/restore").then());
        assertThat(restored.getString("state")).as("%s", restored.prettify()).isEqualTo("ok");
        assertThat(restored.getString("op")).isEqualTo("hypervisor.restore");
        as(RestNode.READER).when().get("/api/v1/systems/bk2").then().statusCode(200).body("meta.state", equalTo("running"));
        assertThat(Path.of(root, "bk2")).as("the copy's own volume").exists();

        // the listing: a reader may see it; a directory without its manifest shows as incomplete, never as a backup to restore
        java.nio.file.Files.createDirectories(Path.of(root, ".acp-backups", "bk1.20200101T000000Z"));
        as(RestNode.READER).when().get("/api/v1/systems/bk1/backups?pool=vault").then().statusCode(200)
                .body("system", equalTo("bk1"))
                .body("node", equalTo("a"))
                .body("backups.size()", equalTo(2))
                .body("backups[0].backup", equalTo("bk1.20200101T000000Z"))
                .body("backups[0].complete", equalTo(false))
                .body("backups[1].backup", equalTo(backup))
                .body("backups[1].pool", equalTo("vault"))
                .body("backups[1].complete", equalTo(true))
                .body("backups[1].kind", equalTo("copy"))
                .body("backups[1].parent", org.hamcrest.Matchers.nullValue())
                .body("backups[1].disks", equalTo(1))
                .body("backups[1].bytes", equalTo(1024 * 1024))
                .body("backups[1].createdAt", org.hamcrest.Matchers.notNullValue());
        as(RestNode.READER).when().get("/api/v1/systems/bk1/backups").then().statusCode(200)
                .body("backups.backup", hasItem(backup)); // no ?pool=: every pool node a reaches
        as(RestNode.READER).when().get("/api/v1/systems/bk2/backups?pool=vault").then().statusCode(200)
                .body("backups.size()", equalTo(0)); // bk1's backups are not bk2's, though bk2 was restored from one
        problem(as(RestNode.READER).when().get("/api/v1/systems/bk1/backups?pool=nowhere").then(), 409, "conflict")
                .body("detail", containsString("pool nowhere"));
        for (String id : new String[] {"bk2", "bk1"}) { // no system left on node a for the other tests
            assertThat(finished(as(RestNode.OPERATOR).queryParam("force", true).when().delete("/api/v1/systems/" + id).then()).getString("state"))
                    .isEqualTo("ok");
        }
    }

    // ---- alarms -------------------------------------------------------------------------------

    @Test
    void anAlarmIsAcknowledgedByAnOperatorNotByAReader() {
        ObjectKey key = ObjectKey.of(ObjectType.ALARM, "disk-full-a");
        cluster.cdb().putObject(key, null, Json.object().put("rule", "disk-full").put("severity", "major").put("subject", "node/a")
                .put("node", "a").put("message", "disk 95% full").put("state", "raised")
                .put("firstSeen", Instant.now().toString()).put("lastSeen", Instant.now().toString()), null)
                .await().atMost(Duration.ofSeconds(10));

        as(RestNode.READER).when().get("/api/v1/alarms").then().statusCode(200).body("id", hasItem("disk-full-a"));
        as(RestNode.READER).when().get("/api/v1/alarms/disk-full-a").then().statusCode(200).body("spec.state", equalTo("raised"));
        problem(as(RestNode.READER).when().post("/api/v1/alarms/disk-full-a/ack").then(), 403, "forbidden");
        as(RestNode.READER).when().get("/api/v1/alarms/disk-full-a").then().statusCode(200).body("spec.state", equalTo("raised"));
        as(RestNode.OPERATOR).when().post("/api/v1/alarms/disk-full-a/ack").then().statusCode(200);
        as(RestNode.READER).when().get("/api/v1/alarms/disk-full-a").then().statusCode(200)
                .body("spec.state", equalTo("acknowledged")).body("spec.ackedBy", equalTo("operator"));
        as(RestNode.READER).queryParam("all", true).when().get("/api/v1/alarms").then().statusCode(200).body("id", hasItem("disk-full-a"));
        problem(as(RestNode.OPERATOR).when().post("/api/v1/alarms/nope/ack").then(), 404, "not_found");
    }

    // ---- routing ------------------------------------------------------------------------------

    @Test
    void aRequestForAnotherNodeGoesTheDispatchersWayAndNamesTheNode() {
        problem(as(RestNode.READER).queryParam("node", "b").when().get("/api/v1/services").then(), 503, "unavailable")
                .body("detail", containsString("node b"));
        problem(as(RestNode.READER).when().get("/api/v1/nodes/c").then(), 503, "unavailable").body("detail", containsString("node c"));
        // the owner of a system is where its requests go without ?node=
        String vm = "{\"id\":\"vm-on-b\",\"spec\":{\"vcpus\":1,\"memory\":64,\"node\":\"b\"}}";
        cluster.cdb().putObject(ObjectKey.of(ObjectType.SYSTEM, "vm-on-b"), null, Json.MAPPER.valueToTree(
                java.util.Map.of("vcpus", 1, "memory", 64, "node", "b")), null).await().atMost(Duration.ofSeconds(10));
        problem(as(RestNode.OPERATOR).when().post("/api/v1/systems/vm-on-b/start").then(), 503, "unavailable")
                .body("detail", containsString("node b"));
        assertThat(vm).isNotEmpty();
    }

    // ---- bad input ----------------------------------------------------------------------------

    @Test
    void badInputIsAProblemAndTheNodeStaysHealthy() {
        problem(as(RestNode.OPERATOR).body("{\"id\":\"x\",").when().post("/api/v1/networks").then(), 400, "bad_frame");
        problem(as(RestNode.OPERATOR).body("{\"id\":\"x\",\"subtype\":\"vlan\",\"spec\":{},\"colour\":\"red\"}").when().post("/api/v1/networks").then(),
                400, "bad_request").body("detail", containsString("colour"));
        problem(as(RestNode.OPERATOR).body("{\"id\":5,\"subtype\":\"vlan\",\"spec\":{}}").when().post("/api/v1/networks").then(),
                400, "bad_request").body("detail", containsString("id"));
        problem(as(RestNode.OPERATOR).body("{\"to\":\"b\",\"live\":\"yes\"}").when().post("/api/v1/systems/vm1/migrate").then(),
                400, "bad_request").body("detail", containsString("live"));
        problem(as(RestNode.OPERATOR).body("[1,2]").when().post("/api/v1/networks").then(), 400, "bad_request");
        problem(as(RestNode.OPERATOR).when().post("/api/v1/networks").then(), 400, "bad_request");
        String big = "{\"id\":\"big\",\"subtype\":\"vlan\",\"spec\":{\"pad\":\"" + "x".repeat(8192) + "\"}}";
        problem(as(RestNode.OPERATOR).body(big).when().post("/api/v1/networks").then(), 413, "frame_too_large")
                .body("detail", containsString("4096"));
        problem(as(RestNode.READER).when().get("/api/v1/networks/big").then(), 404, "not_found");
        problem(as(RestNode.READER).when().get("/api/v1/nothing-here").then(), 404, "not_found");
        problem(as(RestNode.READER).when().patch("/api/v1/networks").then(), 405, "bad_request");
        problem(as(RestNode.OPERATOR).contentType(ContentType.TEXT).body("id=x").when().post("/api/v1/networks").then(), 415, "bad_request");
        problem(as(RestNode.READER).when().get("/api/v1/networks/" + "n".repeat(200)).then(), 400, "bad_request");

        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        as(RestNode.READER).when().get("/api/v1/services").then().statusCode(200);
    }
}
