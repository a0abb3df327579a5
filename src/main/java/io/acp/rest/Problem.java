package io.acp.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An error answer as RFC 9457 problem details ({@code application/problem+json}), carrying the
 * protocol's stable error code so a script branches on {@code code} whatever the transport.
 *
 * @param type      {@code urn:acp:error:<code>}
 * @param title     the code in words
 * @param status    the HTTP status
 * @param detail    what was refused and why: the rule and the object or node at fault
 * @param instance  the request path
 * @param code      the protocol's error code (docs/protocol.md)
 * @param retryable whether the same request may succeed later unchanged
 */
@Schema(name = "Problem", description = "RFC 9457 problem details with the protocol's stable error code.")
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String code, boolean retryable) {

    public static final String MEDIA_TYPE = "application/problem+json";

    static Problem of(AcpException e, String path) {
        return of(e.code(), e.getMessage(), path);
    }

    static Problem of(ErrorCode code, String detail, String path) {
        return new Problem("urn:acp:error:" + code.wireName(), title(code), status(code), detail, path, code.wireName(), code.retryable());
    }

    /** The HTTP status of each stable code. */
    static int status(ErrorCode code) {
        return switch (code) {
            case BAD_FRAME, BAD_REQUEST -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case UNKNOWN_SERVICE, UNKNOWN_OPERATION, NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case FRAME_TOO_LARGE -> 413;
            case RATE_LIMITED -> 429;
            case INTERNAL, STORAGE_FAILED -> 500;
            case UNAVAILABLE, NOT_READY -> 503;
            case TIMEOUT -> 504;
        };
    }

    private static String title(ErrorCode code) {
        return switch (code) {
            case BAD_FRAME -> "Unreadable request";
            case FRAME_TOO_LARGE -> "Request too large";
            case BAD_REQUEST -> "Bad request";
            case UNAUTHORIZED -> "Missing or wrong API key";
            case FORBIDDEN -> "Not allowed for this key's role";
            case UNKNOWN_SERVICE -> "No such service";
            case UNKNOWN_OPERATION -> "No such operation";
            case NOT_FOUND -> "Not found";
            case CONFLICT -> "Version conflict";
            case RATE_LIMITED -> "Too many requests";
            case UNAVAILABLE -> "Unavailable";
            case STORAGE_FAILED -> "The node could not store the change";
            case NOT_READY -> "The node is still catching up with the cluster";
            case TIMEOUT -> "Timed out";
            case INTERNAL -> "Fault inside the node";
        };
    }
}
