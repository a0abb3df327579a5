package io.acp.rest;

import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Who calls and where the request goes: every REST operation takes these. */
public class Caller {

    /** {@code Bearer <api key>}. */
    @HeaderParam(HttpHeaders.AUTHORIZATION)
    @Parameter(hidden = true)
    String authorization;

    /** The node to run the request on; omitted: the object's owner, else the node that received it. */
    @QueryParam("node")
    @Parameter(description = "The node to run the request on; omitted: the object's owner (a system's node), else the node that received the request.")
    String node;
}
