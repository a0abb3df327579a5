package io.acp.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The task and audit log: service {@code task}, answered by any node (every node holds every
 * node's tasks). A long operation's 202 answer points here ({@code Location}).
 */
@Path(RestPaths.ROOT + "/tasks")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks", description = "Task and audit log: every change, who asked, where it ran, how it ended (service task)")
public class TasksResource {

    @Inject
    RestGateway gateway;

    @GET
    @Operation(operationId = "listTasks", summary = "Tasks, newest first, filtered by the node that ran them, the key's name and start time (task.list).")
    public Uni<JsonNode> list(@BeanParam Caller c,
            @QueryParam("ranOn") @Parameter(description = "Only tasks that ran on this node.") String ranOn,
            @QueryParam("user") @Parameter(description = "Only tasks asked for by the API key of this name.") String user,
            @QueryParam("since") @Parameter(description = "Only tasks started since: an ISO-8601 instant or a duration back from now (90s, 15m, 2h, 7d).") String since,
            @QueryParam("limit") @Parameter(description = "At most this many (1..1000, default 100).") Integer limit) {
        ObjectNode args = Call.args();
        if (ranOn != null) {
            args.put("node", ranOn);
        }
        if (user != null) {
            args.put("user", user);
        }
        if (since != null) {
            args.put("since", since);
        }
        if (limit != null) {
            args.put("limit", limit);
        }
        return gateway.call(c.authorization, c.node, "task", "list", args);
    }

    @GET
    @Path("/{id}")
    @Operation(operationId = "getTask", summary = "One task: its state while it runs, then its outcome, duration and what it changed (task.show).")
    public Uni<JsonNode> get(@BeanParam Caller c, @PathParam("id") String id) {
        return gateway.call(c.authorization, c.node, "task", "show", Call.id(id));
    }
}
