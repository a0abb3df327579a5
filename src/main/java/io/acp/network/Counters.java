package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** A link's traffic counters since it was created (the kernel's stats64). */
public record Counters(long rxBytes, long txBytes, long rxPackets, long txPackets, long rxErrors, long txErrors, long rxDrops,
        long txDrops) {

    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0);

    static Counters parse(JsonNode stats64) {
        JsonNode rx = stats64.path("rx");
        JsonNode tx = stats64.path("tx");
        return new Counters(rx.path("bytes").asLong(), tx.path("bytes").asLong(), rx.path("packets").asLong(),
                tx.path("packets").asLong(), rx.path("errors").asLong(), tx.path("errors").asLong(),
                rx.path("dropped").asLong(), tx.path("dropped").asLong());
    }

    public Counters plus(Counters o) {
        return new Counters(rxBytes + o.rxBytes, txBytes + o.txBytes, rxPackets + o.rxPackets, txPackets + o.txPackets,
                rxErrors + o.rxErrors, txErrors + o.txErrors, rxDrops + o.rxDrops, txDrops + o.txDrops);
    }

    /** Adds the stats keys of the contract ({@code rxBytes} ...), each after {@code prefix}. */
    public void putInto(Map<String, Double> stats, String prefix) {
        stats.put(prefix + "rxBytes", (double) rxBytes);
        stats.put(prefix + "txBytes", (double) txBytes);
        stats.put(prefix + "rxPackets", (double) rxPackets);
        stats.put(prefix + "txPackets", (double) txPackets);
        stats.put(prefix + "rxErrors", (double) rxErrors);
        stats.put(prefix + "txErrors", (double) txErrors);
        stats.put(prefix + "rxDrops", (double) rxDrops);
        stats.put(prefix + "txDrops", (double) txDrops);
    }
}
