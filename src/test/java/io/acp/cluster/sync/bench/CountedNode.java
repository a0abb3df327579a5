package io.acp.cluster.sync.bench;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.SyncSettings;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;

/** A real sync node on an in-memory CDB, whose transport counts the bytes it sends and receives. */
record CountedNode(Cdb cdb, ClusterSync sync, ByteCountingTransport bytes) {

    /** Provisions node {@code id} under {@code root} from the cluster CA and starts its sync. */
    static CountedNode start(String id, SyncSettings settings, Path root, PkiFiles ca) {
        TestPki.provision(ca, root.resolve(id), id);
        Cdb cdb = Cdb.inMemory(id);
        ByteCountingTransport[] counting = new ByteCountingTransport[1];
        ClusterSync sync = new ClusterSync(cdb, settings, id, root.resolve(id), t -> counting[0] = new ByteCountingTransport(t, id));
        sync.start().await().atMost(Duration.ofSeconds(10));
        return new CountedNode(cdb, sync, counting[0]);
    }
}
