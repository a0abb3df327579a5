package io.acp.protocol;

import java.util.Locale;

/**
 * Stable error codes of the request protocol. The wire form is the lower-case name; codes are never
 * renamed or reused, so scripts may branch on them. {@code docs/protocol.md} lists when each occurs.
 */
public enum ErrorCode {
    /** The bytes were not a frame: bad length prefix, invalid UTF-8, not a JSON object. */
    BAD_FRAME(false),
    /** A frame longer than the configured limit; its bytes are discarded unread. */
    FRAME_TOO_LARGE(false),
    /** A well-formed frame whose envelope or arguments are missing or invalid. */
    BAD_REQUEST(false),
    /** Missing or wrong API key (both get the same answer). */
    UNAUTHORIZED(false),
    /** The key is valid but its role does not allow the operation. */
    FORBIDDEN(false),
    UNKNOWN_SERVICE(false),
    UNKNOWN_OPERATION(false),
    NOT_FOUND(false),
    /**
     * A conditional write whose expected version did not match, or a write that lost to a newer
     * version of the object (the message names the winning version and the node that wrote it).
     */
    CONFLICT(false),
    /** Too many requests or failed authentications; retry later. */
    RATE_LIMITED(true),
    /** The service or node cannot serve now (stopping, not started, unreachable). */
    UNAVAILABLE(true),
    TIMEOUT(true),
    /**
     * The node could not make a write durable (its journal could not be written: disk full, I/O
     * error, read-only file system). The write took effect nowhere; retry once the disk is fixed.
     */
    STORAGE_FAILED(true),
    /**
     * The node is still catching up with the cluster's state after it started, and the answer
     * (a read or a conditional write) could contradict writes it has not pulled yet; retry shortly.
     */
    NOT_READY(true),
    /** A fault inside the node; the message says what failed. */
    INTERNAL(true);

    private final boolean retryable;

    ErrorCode(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name; unknown codes (from a newer peer) read as INTERNAL. */
    public static ErrorCode fromWire(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            return INTERNAL;
        }
    }
}
