package io.acp.api;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Routes an authenticated request to its service's operations, or, when it names another node,
 * through the {@link RemoteRouter} to that node's agent. Requests that arrived through this node's
 * agent are dispatched by a {@link #localOnly()} copy: they travel one hop, never on. Every request
 * is checked against the role table ({@link Permissions}) before it runs or is routed; a routed
 * request carries the caller's name and role, never the caller's key, and the target node checks
 * it again.
 */
public final class Dispatcher {

    private final String localNode;
    private final Map<String, ServiceOperations> services;
    private final boolean routes;
    private volatile RemoteRouter router;
    private final TaskRecorder tasks;

    public Dispatcher(String localNode, List<ServiceOperations> services) {
        this(localNode, services, null);
    }

    /** @param tasks where mutating requests are recorded as tasks; null records none */
    Dispatcher(String localNode, List<ServiceOperations> services, TaskRecorder tasks) {
        this.localNode = localNode;
        this.tasks = tasks;
        this.services = new TreeMap<>();
        for (ServiceOperations s : services) {
            this.services.put(s.service(), s);
        }
        this.routes = true;
    }

    private Dispatcher(Dispatcher routing) {
        this.localNode = routing.localNode;
        this.services = routing.services;
        this.routes = false;
        this.tasks = routing.tasks;
    }

    /** The same services, refusing requests for other nodes (for requests that already took a hop). */
    public Dispatcher localOnly() {
        return new Dispatcher(this);
    }

    /** Every service's operations, by service (for the role matrix and docs). */
    public Map<String, List<String>> operations() {
        Map<String, List<String>> out = new TreeMap<>();
        services.forEach((name, ops) -> out.put(name, ops.operations()));
        return out;
    }

    /** Whether {@code request} names an operation its service declares a job ({@link ServiceOperations#jobs()}). */
    public boolean runsAsJob(Request request) {
        ServiceOperations ops = services.get(request.service());
        return ops != null && ops.jobs().contains(request.op());
    }

    /** Installs (or, with null, removes) the way to other nodes. */
    public void routeRemoteThrough(RemoteRouter router) {
        this.router = router;
    }

    /** Authorizes, then routes: what {@link RequestPipeline#dispatch} does, for callers that hold a dispatcher. */
    public Outcome dispatch(Request request, Session session) {
        authorize(request, session);
        return route(request, session);
    }

    /**
     * The pipeline's authorize step: {@code unknown_service} for a service this node does not have,
     * {@code forbidden} unless the role table lets the session's caller run a known operation (an
     * unknown operation is left to its service, which answers {@code unknown_operation}).
     */
    void authorize(Request request, Session session) {
        ServiceOperations ops = operationsOf(request);
        if (ops.operations().contains(request.op())) {
            Permissions.require(request, session);
        }
    }

    /** The pipeline's dispatch step, for a request {@link #authorize} let through: here, or to the node it names. */
    Outcome route(Request request, Session session) {
        ServiceOperations ops = operationsOf(request);
        boolean known = ops.operations().contains(request.op());
        boolean here = request.node() == null || request.node().equals(localNode);
        if (tasks == null || !known || !TaskRecorder.records(request)) {
            return here ? ops.call(request, session) : remote(request, session);
        }
        String task = tasks.idFor(request, session);
        Request recorded = request.withTask(task);
        return here ? tasks.runHere(task, recorded, session, () -> ops.call(recorded, session))
                : tasks.routed(task, recorded, session, request.node(), () -> remote(recorded, session));
    }

    private ServiceOperations operationsOf(Request request) {
        ServiceOperations ops = services.get(request.service());
        if (ops == null) {
            throw new AcpException(ErrorCode.UNKNOWN_SERVICE, "node " + localNode + " has no service '" + request.service()
                    + "'; it has " + String.join(", ", services.keySet()));
        }
        return ops;
    }

    /** Who the target node runs a routed request as: the caller this node authenticated (never their key). */
    static Request.Caller caller(Session session) {
        ApiIdentity who = session.identity();
        return new Request.Caller(who.name(), who.role().wireName());
    }

    private Outcome remote(Request request, Session session) {
        String target = request.node();
        if (!routes) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + localNode + " received a request for node " + target
                    + " through its agent; requests travel one hop: send it to node " + target + "'s agent");
        }
        RemoteRouter r = router;
        if (r == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "node " + target + " is not reachable from node " + localNode
                    + ": this node runs no agent (add 'agent' to acp.node.services)");
        }
        if ("cluster".equals(request.service()) && "watch".equals(request.op())) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "cluster.watch is not routed to other nodes yet; watch through node "
                    + target + "'s agent directly");
        }
        if ("api".equals(request.service()) && "cancel".equals(request.op())) {
            throw new AcpException(ErrorCode.BAD_REQUEST, "api.cancel is answered by the node the connection is on; omit 'node'");
        }
        Request forwarded = new Request(request.id(), target, request.service(), request.op(), request.args(), null, caller(session), request.task());
        return new Outcome.Single(r.forward(forwarded));
    }
}
