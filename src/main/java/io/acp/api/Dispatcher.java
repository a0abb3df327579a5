package io.acp.api;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routes an authenticated request to its service's operations. Requests for another node are
 * refused until remote routing through the agent exists (issue 4).
 */
public final class Dispatcher {

    private final String localNode;
    private final Map<String, ServiceOperations> services = new TreeMap<>();

    public Dispatcher(String localNode, List<ServiceOperations> services) {
        this.localNode = localNode;
        for (ServiceOperations s : services) {
            this.services.put(s.service(), s);
        }
    }

    public Outcome dispatch(Request request, Session session) {
        if (request.node() != null && !request.node().equals(localNode)) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + request.node()
                    + " is not reachable from here: remote routing through the agent is not available yet");
        }
        ServiceOperations ops = services.get(request.service());
        if (ops == null) {
            throw new AcpException(ErrorCode.UNKNOWN_SERVICE, "node " + localNode + " has no service '" + request.service()
                    + "'; it has " + String.join(", ", services.keySet()));
        }
        return ops.call(request, session);
    }
}
