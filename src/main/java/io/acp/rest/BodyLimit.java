package io.acp.rest;

import io.acp.protocol.ErrorCode;
import io.acp.model.Json;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a REST body larger than {@code acp.rest.max-body-bytes} from its Content-Length, before a
 * byte of it is read, with a problem ({@code frame_too_large}, 413). A chunked body that grows past
 * the same size is cut off by the listener itself ({@code quarkus.http.limits.max-body-size}).
 */
@ApplicationScoped
public class BodyLimit {

    void install(@Observes Router router, RestConfig config) {
        long max = config.maxBodyBytes();
        router.route(RestPaths.ROOT + "/*").order(-100).handler(ctx -> {
            String length = ctx.request().getHeader("Content-Length");
            long declared;
            try {
                declared = length == null ? -1 : Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared <= max) {
                ctx.next();
                return;
            }
            Problem p = Problem.of(ErrorCode.FRAME_TOO_LARGE, "request body of " + declared + " bytes is larger than " + max
                    + " bytes (acp.rest.max-body-bytes); it was not read", ctx.request().path());
            ctx.response()
                    .setStatusCode(p.status())
                    .putHeader("Content-Type", Problem.MEDIA_TYPE)
                    .putHeader("Connection", "close")
                    .end(Json.MAPPER.valueToTree(p).toString());
        });
    }
}
