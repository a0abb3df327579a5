package io.acp.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.StatsEntry;
import io.acp.storage.common.Reports;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A storage service of node n1 on an in-memory CDB, with its data dir in a test directory. */
final class StorageNode implements AutoCloseable {

    static final String NODE = "n1";
    static final Duration WAIT = Duration.ofSeconds(30);

    final Cdb cdb = Cdb.inMemory(NODE);
    final Path dir;
    final StorageService service;

    private StorageNode(Path dir, TestStorageConfig config) {
        this.dir = dir;
        this.service = new StorageService(config, NODE, dir.resolve("data"), () -> cdb);
    }

    static StorageNode start(Path dir) {
        return start(dir, TestStorageConfig.in(dir));
    }

    static StorageNode start(Path dir, TestStorageConfig config) {
        StorageNode n = new StorageNode(dir, config);
        n.service.start(StorageService.settings(config, dir.resolve("data"))).await().atMost(WAIT);
        return n;
    }

    Storage storage() {
        return service.storage();
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(WAIT);
    }

    /** This node's meta of storage/{@code id}, or an empty object. */
    JsonNode meta(String id) {
        return cdb.meta(Reports.key(id), NODE).stream().findFirst().map(MetaEntry::values).map(JsonNode.class::cast).orElse(Json.object());
    }

    Map<String, Double> stats(String id) {
        return cdb.stats(Reports.key(id), NODE).stream().findFirst().map(StatsEntry::values).orElse(Map.of());
    }

    static ObjectNode spec(String json) {
        try {
            return (ObjectNode) Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        service.stop().await().atMost(WAIT);
    }
}
