package io.acp.api;

/** What every connection of the API shares: its settings, the keys, the failure limiter, the dispatcher, the request gate. */
record ConnectionShared(ApiConfig config, String localNode, ApiKeyStore keys, AuthFailureLimiter limiter, Dispatcher dispatcher,
        RequestGate gate) {
}
