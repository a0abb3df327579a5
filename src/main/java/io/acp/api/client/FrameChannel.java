package io.acp.api.client;

import java.time.Duration;

/** A connection that carries the protocol's length-prefixed frames, for {@link ApiClient}. */
interface FrameChannel extends AutoCloseable {

    void send(byte[] payload, Duration timeout);

    /** The next whole frame; a null or non-positive timeout waits for ever (streams). */
    byte[] receive(Duration timeout);

    @Override
    void close();

    static FrameChannel connect(ApiEndpoint endpoint) throws java.io.IOException {
        if (endpoint instanceof ApiEndpoint.Tls tls) {
            return TlsFrameChannel.connect(tls);
        }
        return FramedChannel.connect(endpoint);
    }
}
