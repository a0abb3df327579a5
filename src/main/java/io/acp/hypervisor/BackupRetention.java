package io.acp.hypervisor;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which backups a schedule keeps, as Proxmox's prune options do: the newest {@code last}; then, of
 * those left, the newest backup of each of the {@code daily} most recent days that have one; then
 * the newest of each of the {@code weekly} most recent ISO weeks (Monday to Sunday) that have one.
 * A rule passes over a day or week that an earlier rule already keeps a backup of, and a backup a
 * rule passes over in a period it took is removed, even if a later rule would have kept it. Days
 * and weeks are UTC. Pure: the same times give the same answer.
 */
record BackupRetention(int last, int daily, int weekly) {

    BackupRetention {
        if (last < 0 || daily < 0 || weekly < 0) {
            throw new IllegalArgumentException("keep counts must not be negative, got last " + last + ", daily " + daily + ", weekly " + weekly);
        }
    }

    private enum Mark {
        KEEP, REMOVE
    }

    /** The backups kept of those taken at {@code times} (any order). */
    Set<Instant> keep(List<Instant> times) {
        List<Instant> newestFirst = new ArrayList<>(new LinkedHashSet<>(times));
        newestFirst.sort(Comparator.reverseOrder());
        Map<Instant, Mark> marks = new HashMap<>();
        mark(marks, newestFirst, last, Instant::toString); // each backup its own period
        mark(marks, newestFirst, daily, t -> day(t).toString());
        mark(marks, newestFirst, weekly, t -> {
            LocalDate d = day(t);
            return d.get(IsoFields.WEEK_BASED_YEAR) + "-W" + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        });
        Set<Instant> kept = new HashSet<>();
        marks.forEach((t, m) -> {
            if (m == Mark.KEEP) {
                kept.add(t);
            }
        });
        return kept;
    }

    private static LocalDate day(Instant t) {
        return t.atZone(ZoneOffset.UTC).toLocalDate();
    }

    /** One rule: the newest unmarked backup of each of the {@code keep} newest periods not kept already. */
    private static void mark(Map<Instant, Mark> marks, List<Instant> newestFirst, int keep, Function<Instant, String> period) {
        Set<String> already = new HashSet<>();
        for (Instant t : newestFirst) {
            if (marks.get(t) == Mark.KEEP) {
                already.add(period.apply(t));
            }
        }
        Set<String> taken = new HashSet<>();
        for (Instant t : newestFirst) {
            if (marks.containsKey(t)) {
                continue;
            }
            String p = period.apply(t);
            if (already.contains(p)) {
                continue;
            }
            if (!taken.contains(p)) {
                if (taken.size() >= keep) {
                    return;
                }
                taken.add(p);
                marks.put(t, Mark.KEEP);
            } else {
                marks.put(t, Mark.REMOVE);
            }
        }
    }
}
