package io.acp.storage.common;

import io.acp.protocol.AcpException;
import java.util.Locale;

/** Byte sizes as people write them: {@code 1073741824}, {@code 512M}, {@code 10G}, {@code 1TiB} (powers of 1024). */
public final class Sizes {

    /** Largest size accepted: 1 PiB, far beyond any one volume, small enough to never overflow. */
    static final long MAX = 1L << 50;

    private Sizes() {
    }

    public static long parse(String what, String text) {
        String t = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1);
        }
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> shift = -1;
            }
            if (shift >= 0) {
                t = t.substring(0, t.length() - 1);
            } else {
                shift = 0;
            }
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw AcpException.badRequest(what + " must be a size such as 1073741824, 512M or 10G, got '" + text + "'");
        }
        return checked(what, n, shift);
    }

    static long checked(String what, long n, int shift) {
        if (n <= 0 || n > (MAX >> shift)) {
            throw AcpException.badRequest(what + " must be more than 0 and at most 1 PiB, got " + n + (shift == 0 ? "" : " << " + shift));
        }
        return n << shift;
    }

    /** A size for messages: {@code 3.9 MiB}. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = 0;
        while (Math.abs(v) >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
