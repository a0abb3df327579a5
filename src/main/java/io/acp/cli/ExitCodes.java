package io.acp.cli;

import io.acp.protocol.ErrorCode;

/**
 * The CLI's exit codes, stable so scripts can branch on them. Listed in {@code acp --help} and
 * docs/cli.md.
 */
public final class ExitCodes {

    public static final int OK = 0;
    /** Anything not covered below, e.g. an internal fault of the node. */
    public static final int FAILURE = 1;
    /** Wrong options or arguments (picocli's usage error). */
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    /** unauthorized or forbidden. */
    public static final int DENIED = 4;
    /** The node cannot be reached, is not ready, or did not answer in time. */
    public static final int UNAVAILABLE = 5;
    public static final int CONFLICT = 6;
    /** The node refused the request as invalid (bad type, id, spec...). */
    public static final int BAD_REQUEST = 7;

    private ExitCodes() {
    }

    public static int of(ErrorCode code) {
        return switch (code) {
            case NOT_FOUND -> NOT_FOUND;
            case UNAUTHORIZED, FORBIDDEN -> DENIED;
            case UNAVAILABLE, TIMEOUT, RATE_LIMITED, STORAGE_FAILED, NOT_READY -> UNAVAILABLE;
            case CONFLICT -> CONFLICT;
            case BAD_REQUEST, BAD_FRAME, FRAME_TOO_LARGE -> BAD_REQUEST;
            case UNKNOWN_SERVICE, UNKNOWN_OPERATION, INTERNAL -> FAILURE;
        };
    }
}
