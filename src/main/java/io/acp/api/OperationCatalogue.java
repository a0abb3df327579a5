package io.acp.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gathers the services of every {@link OperationSet} and refuses a service offered twice: two sets
 * answering one service would leave which of them runs a request to the order CDI listed them in.
 */
final class OperationCatalogue {

    private OperationCatalogue() {
    }

    /** The API's own services, then every set's, in order. @throws IllegalStateException naming both offerers of a service */
    static List<ServiceOperations> collect(List<ServiceOperations> own, List<? extends OperationSet> sets, ApiContext api) {
        Map<String, String> offeredBy = new LinkedHashMap<>();
        List<ServiceOperations> out = new ArrayList<>();
        for (ServiceOperations s : own) {
            add(api.localNode(), out, offeredBy, s, "the API itself");
        }
        for (OperationSet set : sets) {
            for (ServiceOperations s : set.operations(api)) {
                add(api.localNode(), out, offeredBy, s, set.getClass().getSimpleName());
            }
        }
        return out;
    }

    private static void add(String node, List<ServiceOperations> out, Map<String, String> offeredBy, ServiceOperations s, String offerer) {
        String mine = offerer + " (" + s.getClass().getSimpleName() + ")";
        String first = offeredBy.putIfAbsent(s.service(), mine);
        if (first != null) {
            throw new IllegalStateException("rule unique-operations: the API of node " + node + " is offered service '" + s.service()
                    + "' twice, by " + first + " and by " + mine + " (operations " + String.join(", ", s.operations())
                    + "); each service's operations must come from one operation set");
        }
        for (String job : s.jobs()) {
            if (!s.operations().contains(job)) {
                throw new IllegalStateException("rule job-is-operation: " + mine + " declares '" + job + "' of service '" + s.service()
                        + "' a job, but the service has no such operation (it has " + String.join(", ", s.operations()) + ")");
            }
        }
        out.add(s);
    }
}
