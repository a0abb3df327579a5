package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.Response;
import java.util.concurrent.Flow;

/**
 * Carries one stream (a {@code watch}) to its connection. It requests one item at a time and the
 * next only once the connection can take more, so a slow reader never builds a queue here: the
 * source (the CDB's change subscription) coalesces what waits to the latest entry per key.
 * Every method body runs on the connection's event loop.
 */
public final class StreamRelay implements Flow.Subscriber<JsonNode> {

    private final long id;
    private final StreamSink connection;
    private Flow.Subscription subscription;
    private boolean done;

    public StreamRelay(long id, StreamSink connection) {
        this.id = id;
        this.connection = connection;
    }

    public long id() {
        return id;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        connection.onContext(() -> {
            subscription = s;
            if (done) {
                s.cancel();
            } else {
                s.request(1);
            }
        });
    }

    @Override
    public void onNext(JsonNode item) {
        connection.onContext(() -> {
            if (done) {
                return;
            }
            connection.sendThen(new Response.Event(id, item), this::requestNext);
        });
    }

    @Override
    public void onError(Throwable failure) {
        connection.onContext(() -> {
            if (!done) {
                done = true;
                connection.streamEnded(this);
                connection.send(Outcome.failure(id, failure));
            }
        });
    }

    @Override
    public void onComplete() {
        connection.onContext(() -> finish(true));
    }

    /** Ends the stream from this side (cancel, node stopping); {@code tellClient} sends {@code end}. */
    public void finish(boolean tellClient) {
        if (done) {
            return;
        }
        done = true;
        if (subscription != null) {
            subscription.cancel();
        }
        connection.streamEnded(this);
        if (tellClient) {
            connection.send(new Response.End(id));
        }
    }

    private void requestNext() {
        if (!done && subscription != null) {
            subscription.request(1);
        }
    }
}
