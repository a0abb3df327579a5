package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.JsonTrees;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * Numbers the way people read them, chosen by the metric's name: sizes in binary units
 * (23975501824 → 22.3 GiB), fractions as percent, seconds as durations, plain numbers without
 * exponents. Only for human output: {@code --json} keeps the raw numbers.
 */
final class Units {

    private static final String[] SIZES = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {
    }

    /** A metric's value with its unit; text and other JSON as is. */
    static String format(String metric, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "-";
        }
        if (!v.isNumber()) {
            return v.isTextual() ? v.asText() : JsonTrees.text(v);
        }
        return format(metric, v.asDouble());
    }

    static String format(String metric, double d) {
        if (!Double.isFinite(d)) {
            return "-";
        }
        String m = metric.toLowerCase(Locale.ROOT);
        if (m.equals("cpu")) {
            return percent(d * 100);
        }
        if (m.endsWith("percent")) {
            return percent(d);
        }
        if (m.equals("uptime") || m.endsWith("seconds")) {
            return duration((long) d);
        }
        if (m.equals("cputime")) {
            return number(d) + " s";
        }
        if (m.endsWith("millis")) {
            return number(d) + " ms";
        }
        if (m.equals("wallclock")) {
            return Instant.ofEpochMilli((long) d).truncatedTo(ChronoUnit.SECONDS).toString();
        }
        if (m.endsWith("mbps")) {
            return number(d) + " Mb/s";
        }
        if (isSize(m)) {
            return size(d);
        }
        return number(d);
    }

    /** Names that count bytes: sizes, memory, traffic. Counts of packets, errors or operations are not. */
    static boolean isSize(String lower) {
        if (lower.contains("packets") || lower.contains("errors") || lower.contains("drops") || lower.contains("ops")
                || lower.contains("count") || lower.contains("pages") || lower.equals("cpus") || lower.equals("vcpus")) {
            return false;
        }
        return lower.contains("bytes") || lower.startsWith("mem") || lower.endsWith("memory") || lower.endsWith("rss")
                || lower.startsWith("balloon") || lower.equals("capacity") || lower.equals("allocation") || lower.equals("free")
                || lower.equals("size") || lower.equals("used") || lower.equals("available");
    }

    /** Binary units with three significant digits: 22.3 GiB, 512 MiB, 100 B. */
    static String size(double bytes) {
        double n = Math.abs(bytes);
        int i = 0;
        while (n >= 1024 && i < SIZES.length - 1) {
            n /= 1024;
            i++;
        }
        String digits = i == 0 ? Long.toString((long) n) : n >= 100 ? String.format(Locale.ROOT, "%.0f", n)
                : n >= 10 ? String.format(Locale.ROOT, "%.1f", n) : String.format(Locale.ROOT, "%.2f", n);
        return (bytes < 0 ? "-" : "") + digits + " " + SIZES[i];
    }

    static String percent(double p) {
        return (p >= 10 || p == 0 ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p)) + " %";
    }

    /** Whole seconds as {@code 3d4h}, {@code 2h5m}, {@code 45s}. */
    static String duration(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        if (d > 0) {
            return d + "d" + h + "h";
        }
        if (h > 0) {
            return h + "h" + m + "m";
        }
        return m > 0 ? m + "m" + seconds % 60 + "s" : seconds + "s";
    }

    /** Integers as integers (never 2.7E11), others to four significant digits, never in exponent form. */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new BigDecimal(d).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
