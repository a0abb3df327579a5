package io.acp.task;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.model.Json;
import org.junit.jupiter.api.Test;

/** What a task records as a spec's change. */
class SpecDiffTest {

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void namesEveryChangedAddedAndRemovedLeafByItsPointer() throws Exception {
        ArrayNode d = SpecDiff.between(json("{\"vcpus\":1,\"memory\":64,\"disks\":[{\"path\":\"a\"}],\"x/y\":1}"),
                json("{\"vcpus\":2,\"memory\":64,\"disks\":[{\"path\":\"a\"},{\"path\":\"b\"}],\"description\":\"web\"}"));
        assertThat(d.toString()).isEqualTo("[{\"path\":\"/description\",\"after\":\"web\"},"
                + "{\"path\":\"/disks/1\",\"after\":{\"path\":\"b\"}},"
                + "{\"path\":\"/vcpus\",\"before\":1,\"after\":2},"
                + "{\"path\":\"/x~1y\",\"before\":1}]");
    }

    @Test
    void aCreatedOrDeletedObjectIsOneWholeValueAndNoChangeIsEmpty() throws Exception {
        assertThat(SpecDiff.between(null, json("{\"a\":1}")).toString()).isEqualTo("[{\"path\":\"\",\"after\":{\"a\":1}}]");
        assertThat(SpecDiff.between(json("{\"a\":1}"), null).toString()).isEqualTo("[{\"path\":\"\",\"before\":{\"a\":1}}]");
        assertThat(SpecDiff.empty(SpecDiff.between(json("{\"a\":[1]}"), json("{\"a\":[1]}")))).isTrue();
    }

    @Test
    void aHugeChangeIsCutWithACount() throws Exception {
        StringBuilder after = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            after.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
        }
        ArrayNode d = SpecDiff.between(json("{}"), json(after + "}"));
        assertThat(d).hasSize(SpecDiff.MAX_ENTRIES + 1);
        assertThat(d.get(SpecDiff.MAX_ENTRIES).path("omitted").asInt()).isEqualTo(100 - SpecDiff.MAX_ENTRIES);
    }
}
