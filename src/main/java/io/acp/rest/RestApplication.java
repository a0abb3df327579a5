package io.acp.rest;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The REST API as its OpenAPI description introduces it (served at {@link RestPaths#OPENAPI}).
 * Declares no classes: every resource of the application is served.
 */
@OpenAPIDefinition(
        info = @Info(title = "ACP node REST API", version = "1",
                description = "The cluster's nodes, systems, networks, storage, alarms and services over HTTP. Every operation is a request "
                        + "of the node protocol (docs/protocol.md) run by the same dispatcher, role checks and routing as the CLI's; "
                        + "errors are RFC 9457 problem details carrying the protocol's stable error code.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "apiKey"))
@SecurityScheme(securitySchemeName = "apiKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API key of the node (acp_...), as Authorization: Bearer <key>")
public class RestApplication extends Application {
}
