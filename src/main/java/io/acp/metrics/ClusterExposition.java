package io.acp.metrics;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The latest stats of every node and object in this node's CDB, in the Prometheus text format
 * (version 0.0.4). Every stat {@code s} becomes the gauge family {@code acp_stat_<s>} with exactly
 * the labels {@code node} (the node that measured), {@code type} (node, system, storage, network,
 * service, alarm) and {@code id} (the object); nothing else becomes a label, so the series are
 * bounded by nodes × objects × stats, and {@code maxSeries} caps them outright.
 */
public final class ClusterExposition {

    static final String PREFIX = "acp_stat_";

    private final int maxSeries;

    public ClusterExposition(int maxSeries) {
        this.maxSeries = maxSeries;
    }

    /** Renders the stats of {@code cdb} as of {@code nowMillis}. Reads only; safe while the CDB changes. */
    public String render(Cdb cdb, long nowMillis) {
        // Two stats whose names map to one metric name keep the first: a family never repeats a label set.
        Map<String, Map<String, String>> families = new TreeMap<>();
        List<String> ages = new ArrayList<>();
        int series = 0;
        int dropped = 0;
        for (ObjectType type : ObjectType.values()) {
            for (ObjectKey key : cdb.reportedKeys(type)) {
                for (StatsEntry e : cdb.stats(key, null)) {
                    String labels = "{node=\"" + escape(e.node()) + "\",type=\"" + type.wireName() + "\",id=\"" + escape(key.id()) + "\"}";
                    for (Map.Entry<String, Double> v : new TreeMap<>(e.values()).entrySet()) {
                        Map<String, String> family = families.computeIfAbsent(PREFIX + metricName(v.getKey()), k -> new LinkedHashMap<>());
                        if (family.containsKey(labels)) {
                            continue;
                        }
                        if (series >= maxSeries) {
                            dropped++;
                            continue;
                        }
                        series++;
                        family.put(labels, number(v.getValue()));
                    }
                    if (series < maxSeries) {
                        ages.add("acp_stats_age_seconds" + labels + " " + number(Math.max(0, nowMillis - e.version().millis()) / 1000.0));
                    }
                }
            }
        }
        StringBuilder out = new StringBuilder(64 * (series + 8));
        families.forEach((name, lines) -> {
            out.append("# HELP ").append(name).append(" Latest value of stat '").append(name.substring(PREFIX.length()))
                    .append("' as the node in label node measured it for the object (type, id).\n");
            out.append("# TYPE ").append(name).append(" gauge\n");
            lines.forEach((labels, value) -> out.append(name).append(labels).append(' ').append(value).append('\n'));
        });
        out.append("# HELP acp_stats_age_seconds Seconds since the node in label node measured the object's stats.\n");
        out.append("# TYPE acp_stats_age_seconds gauge\n");
        ages.forEach(l -> out.append(l).append('\n'));
        out.append("# HELP acp_metrics_series acp_stat_* series in this scrape (at most acp.metrics.max-series).\n");
        out.append("# TYPE acp_metrics_series gauge\n");
        out.append("acp_metrics_series ").append(series).append('\n');
        out.append("# HELP acp_metrics_series_dropped acp_stat_* series left out of this scrape by acp.metrics.max-series.\n");
        out.append("# TYPE acp_metrics_series_dropped gauge\n");
        out.append("acp_metrics_series_dropped ").append(dropped).append('\n');
        return out.toString();
    }

    /** Units Prometheus wants spelt out (promtool's lint refuses the abbreviations as name words). */
    private static final java.util.Map<String, String> UNITS = java.util.Map.ofEntries(
            java.util.Map.entry("s", "seconds"), java.util.Map.entry("sec", "seconds"), java.util.Map.entry("ms", "milliseconds"),
            java.util.Map.entry("us", "microseconds"), java.util.Map.entry("ns", "nanoseconds"), java.util.Map.entry("b", "bytes"),
            java.util.Map.entry("kb", "kilobytes"), java.util.Map.entry("mb", "megabytes"), java.util.Map.entry("gb", "gigabytes"),
            java.util.Map.entry("tb", "terabytes"), java.util.Map.entry("pb", "petabytes"), java.util.Map.entry("m", "minutes"),
            java.util.Map.entry("h", "hours"), java.util.Map.entry("d", "days"));

    /**
     * A stat name as a metric name: camelCase becomes snake_case, anything but letters and digits
     * an underscore; abbreviated units are spelt out ({@code readBytesPerSec} → {@code read_bytes_per_seconds}),
     * and the reserved suffixes of counters and histograms ({@code _total}, {@code _count},
     * {@code _sum}, {@code _bucket}) become {@code _size}, {@code _number}, {@code _amount},
     * {@code _bin}: every stat is a gauge ({@code memTotal} → {@code mem_size}).
     */
    public static String metricName(String stat) {
        StringBuilder b = new StringBuilder(stat.length() + 4);
        for (int i = 0; i < stat.length(); i++) {
            char c = stat.charAt(i);
            if (Character.isUpperCase(c) && i > 0 && Character.isLowerCase(stat.charAt(i - 1))) {
                b.append('_').append(Character.toLowerCase(c));
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                b.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                b.append(Character.toLowerCase(c));
            } else {
                b.append('_');
            }
        }
        java.util.List<String> words = new java.util.ArrayList<>();
        for (String w : b.toString().split("_+")) {
            if (!w.isEmpty()) {
                words.add(UNITS.getOrDefault(w, w));
            }
        }
        if (words.isEmpty()) {
            return "unnamed";
        }
        int last = words.size() - 1;
        words.set(last, switch (words.get(last)) {
            case "total" -> "size";
            case "count" -> "number";
            case "sum" -> "amount";
            case "bucket" -> "bin";
            default -> words.get(last);
        });
        return String.join("_", words);
    }

    static String escape(String labelValue) {
        return labelValue.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
