package io.acp.api;

import io.acp.protocol.AcpException;

/** What the {@link RequestPipeline} made of a request's gate and credential: who it runs as, or why it does not run. */
public sealed interface Admission {

    /** The request may go on to {@link RequestPipeline#dispatch}, as {@code identity}. */
    record Admitted(ApiIdentity identity) implements Admission {
    }

    /** The request is not run: answer {@code error} (its code and message are the ones docs/security.md describes). */
    record Refused(Reason reason, AcpException error) implements Admission {
    }

    /** Why a request was refused; transports differ only in what they do about it (count, close, forget the identity). */
    enum Reason {
        /** The transport's request rate ({@code rate_limited}); no credential was checked. */
        RATE,
        /** The peer failed too many authentications lately ({@code rate_limited}); no credential was checked. */
        TOO_MANY_FAILURES,
        /** The key or certificate was checked and is not valid ({@code unauthorized}). */
        WRONG_CREDENTIAL,
        /** An {@code "as"} caller on a connection that is not a node's ({@code forbidden}, rule node-only). */
        NOT_A_NODE,
        /** An {@code "as"} caller a node sent malformed ({@code bad_request}): the node's fault, not a guess. */
        BAD_CALLER;

        /** True if it counts toward closing the connection after the transport's {@code max-auth-failures}. */
        public boolean failedAuthentication() {
            return this == TOO_MANY_FAILURES || this == WRONG_CREDENTIAL || this == NOT_A_NODE;
        }
    }
}
