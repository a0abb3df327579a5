package io.acp.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.acp.api.Outcome;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response.ResponseBuilder;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure of a REST request answered as RFC 9457 problem details with the protocol's stable
 * error code: the operations' own errors, unreadable or mistyped bodies, unknown paths and methods.
 * A fault inside the node is logged where {@link Outcome#failure} logs it for every transport.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response operation(AcpException e, HttpServerRequest request) {
        return answer(Problem.of(e, request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response unknownField(UnrecognizedPropertyException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_REQUEST, "unknown field '" + e.getPropertyName() + "' in the request body; known fields: "
                + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")), request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response wrongType(MismatchedInputException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_REQUEST, "request body field '" + path(e) + "': " + e.getOriginalMessage(), request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response malformed(JsonParseException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_FRAME, "the request body is not JSON: " + e.getOriginalMessage(), request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response mapping(JsonMappingException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_REQUEST, "request body field '" + path(e) + "': " + e.getOriginalMessage(), request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response json(JsonProcessingException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_FRAME, "the request body is not JSON: " + e.getOriginalMessage(), request.path()));
    }

    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response argument(IllegalArgumentException e, HttpServerRequest request) {
        return answer(Problem.of(ErrorCode.BAD_REQUEST, e.getMessage(), request.path()));
    }

    /** Unknown paths (404), methods (405), media types (406, 415) and Quarkus' own refusals. */
    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response http(WebApplicationException e, HttpServerRequest request) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonParseException parse) {
            return malformed(parse, request);
        }
        if (e.getCause() instanceof JsonMappingException mapping) {
            return mapping(mapping, request);
        }
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.FRAME_TOO_LARGE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
        };
        String detail = switch (status) {
            case 404 -> "no REST resource at " + request.method() + " " + request.path() + " (the API is described at " + RestPaths.OPENAPI + ")";
            case 405 -> request.method() + " is not allowed on " + request.path();
            case 415 -> "the request body must be application/json";
            case 406 -> "the answer is application/json (or application/problem+json); the Accept header allows neither";
            default -> e.getMessage();
        };
        Problem p = Problem.of(code, detail, request.path());
        return answer(new Problem(p.type(), p.title(), status, p.detail(), p.instance(), p.code(), p.retryable()));
    }

    /** Anything else escaped an operation: a fault inside the node, logged, answered 500 {@code internal}. */
    @ServerExceptionMapper
    public jakarta.ws.rs.core.Response fault(RuntimeException e, HttpServerRequest request) {
        Response.Failure f = Outcome.failure(0, e);
        return answer(Problem.of(f.code(), f.message(), request.path()));
    }

    static jakarta.ws.rs.core.Response answer(Problem p) {
        ResponseBuilder b = jakarta.ws.rs.core.Response.status(p.status()).type(Problem.MEDIA_TYPE).entity(p);
        if (p.status() == 401) {
            b.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"acp\"");
        }
        return b.build();
    }

    private static String path(JsonMappingException e) {
        String p = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
        return p.isEmpty() ? "(body)" : p;
    }
}
