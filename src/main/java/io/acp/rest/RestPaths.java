package io.acp.rest;

/** The REST API's fixed paths (documented in docs/rest.md; clients rely on them). */
public final class RestPaths {

    /** Every resource lives under this prefix; a new major version gets a new one. */
    public static final String ROOT = "/api/v1";
    /** The OpenAPI description (YAML; {@code ?format=json} for JSON). */
    public static final String OPENAPI = "/api/v1/openapi";

    private RestPaths() {
    }
}
