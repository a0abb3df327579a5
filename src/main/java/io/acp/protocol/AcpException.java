package io.acp.protocol;

/** A failure with a protocol error code and a message a person can act on. */
public class AcpException extends RuntimeException {

    private final ErrorCode code;

    public AcpException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public AcpException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static AcpException notFound(String what) {
        return new AcpException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static AcpException badRequest(String message) {
        return new AcpException(ErrorCode.BAD_REQUEST, message);
    }
}
