package io.acp.webapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.Response;
import java.util.concurrent.Flow;

/**
 * Carries one stream (a {@code watch}) to its WebSocket. It asks for the next item only once the
 * previous one was written to the socket, so a slow browser never builds a queue here: what waits
 * is coalesced at the source (the CDB's change subscription keeps the latest entry per key).
 * Every method body runs on the connection's event loop.
 */
final class WebStreamRelay implements Flow.Subscriber<JsonNode> {

    private final long id;
    private final WebSession session;
    private Flow.Subscription subscription;
    private boolean done;

    WebStreamRelay(long id, WebSession session) {
        this.id = id;
        this.session = session;
    }

    long id() {
        return id;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        session.onContext(() -> {
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
        session.onContext(() -> {
            if (!done) {
                session.sendThen(new Response.Event(id, item), this::requestNext);
            }
        });
    }

    @Override
    public void onError(Throwable failure) {
        session.onContext(() -> {
            if (!done) {
                done = true;
                session.streamEnded(this);
                session.send(WebSession.failure(id, failure));
            }
        });
    }

    @Override
    public void onComplete() {
        session.onContext(() -> finish(true));
    }

    /** Ends the stream from this side (cancel, node stopping, connection gone); {@code tellClient} sends {@code end}. */
    void finish(boolean tellClient) {
        if (done) {
            return;
        }
        done = true;
        if (subscription != null) {
            subscription.cancel();
        }
        session.streamEnded(this);
        if (tellClient) {
            session.send(new Response.End(id));
        }
    }

    private void requestNext() {
        if (!done && subscription != null) {
            subscription.request(1);
        }
    }
}
