package io.acp.cluster;

import io.acp.model.StatsValues;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distinct name lists of stats samples, one array each, shared by every series that reports
 * them. Samples arrive with names decoded afresh, and each is compared with its series' names: with
 * a copy per series that comparison read the copy's array, strings and their bytes out of the cache
 * for every sample (a dozen misses at 1 s stats across thousands of series); one shared array stays
 * cached. Bounded: past {@link #MAX} distinct lists a series keeps a copy of its own.
 */
final class StatsNames {

    static final int MAX = 4096;

    private final ConcurrentHashMap<List<String>, String[]> known = new ConcurrentHashMap<>();

    /** The shared array of the sample's names (a copy of its own once the bound is reached). */
    String[] of(StatsValues sample) {
        String[] names = sample.copyNames();
        if (known.size() >= MAX) {
            return names;
        }
        String[] shared = known.putIfAbsent(List.of(names), names);
        return shared != null ? shared : names;
    }
}
