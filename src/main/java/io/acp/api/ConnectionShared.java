package io.acp.api;

/** What every connection of one listener shares: its settings, the request pipeline, the request gate. */
record ConnectionShared(ApiConfig config, RequestPipeline pipeline, RequestGate gate) {
}
