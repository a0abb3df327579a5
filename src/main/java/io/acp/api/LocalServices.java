package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.cluster.history.StatsHistory;
import io.acp.cluster.sync.SecretRotation;
import io.acp.hypervisor.Systems;
import io.acp.network.NetworkService;
import io.acp.node.ServiceDirectory;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.Storage;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the API's operations reach on this node. Each supplier throws {@code unavailable} while its
 * service does not run; a node without a service answers so, naming it.
 */
public record LocalServices(Supplier<Cdb> cdb, Supplier<Systems> systems, Supplier<NetworkService> network, Supplier<Storage> storage,
        Supplier<StatsHistory> history, Supplier<SecretRotation> secretRotation) {

    /** Only the CDB; every other service answers that this node does not run it. */
    public static LocalServices of(String node, Supplier<Cdb> cdb) {
        return new LocalServices(cdb, absent(node, "hypervisor"), absent(node, "network"), absent(node, "storage"), absent(node, "stats history"),
                absent(node, "cluster sync"));
    }

    public LocalServices withSystems(Supplier<Systems> systems) {
        return new LocalServices(cdb, systems, network, storage, history, secretRotation);
    }

    public LocalServices withNetwork(Supplier<NetworkService> network) {
        return new LocalServices(cdb, systems, network, storage, history, secretRotation);
    }

    public LocalServices withStorage(Supplier<Storage> storage) {
        return new LocalServices(cdb, systems, network, storage, history, secretRotation);
    }

    public LocalServices withHistory(Supplier<StatsHistory> history) {
        return new LocalServices(cdb, systems, network, storage, history, secretRotation);
    }

    /** The cluster secret's rotation steps on this node ({@code cluster.rotate-secret}). */
    public LocalServices withSecretRotation(Supplier<SecretRotation> secretRotation) {
        return new LocalServices(cdb, systems, network, storage, history, secretRotation);
    }

    /** The operation sets over these services, as CDI would give them for a node running the same. */
    public List<OperationSet> operationSets(ServiceDirectory directory, String version) {
        return List.of(
                new FrameworkOperationSet(version, directory, cdb),
                new ClusterOperationSet(cdb, history, secretRotation),
                new HypervisorOperationSet(systems),
                new NetworkOperationSet(cdb, network),
                new MonitorOperationSet(cdb),
                new StorageOperationSet(storage));
    }

    private static <T> Supplier<T> absent(String node, String service) {
        return () -> {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + node + " runs no " + service + " service");
        };
    }
}
