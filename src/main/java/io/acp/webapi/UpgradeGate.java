package io.acp.webapi;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Decides a WebSocket upgrade before any message: 503 while the webapi service does not run on
 * this node, 403 for a browser page whose origin is not allowed ({@link OriginPolicy}).
 */
@ApplicationScoped
public class UpgradeGate implements HttpUpgradeCheck {

    private final WebApiService service;

    @Inject
    public UpgradeGate(WebApiService service) {
        this.service = service;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (!service.running()) {
            return CheckResult.rejectUpgrade(503);
        }
        HttpServerRequest request = context.httpRequest();
        // Compared with where the connection really arrived, never with the Host header the page chose.
        if (!service.originPermitted(request.getHeader("Origin"), request.localAddress().hostAddress(), request.localAddress().port())) {
            return CheckResult.rejectUpgrade(403);
        }
        return CheckResult.permitUpgrade();
    }
}
