package io.acp.model;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The numbers of one stats sample as an immutable map kept in two arrays (names and primitive
 * values): what a decoder builds without a hash map per sample, boxing only when a value is read.
 * A sample has a handful of names, so a look-up scans them. Equal to any map with the same entries.
 */
public final class StatsValues extends AbstractMap<String, Double> {

    private final String[] names;
    private final double[] values;

    private StatsValues(String[] names, double[] values) {
        this.names = names;
        this.values = values;
    }

    /**
     * Takes the arrays as they are (the caller hands them over and keeps no reference to write
     * through). A name given twice keeps its last value, as a map being filled in order would.
     *
     * @throws NullPointerException if a name is null
     */
    public static StatsValues of(String[] names, double[] values) {
        if (names.length != values.length) {
            throw new IllegalArgumentException(names.length + " names for " + values.length + " values");
        }
        for (int i = 0; i < names.length; i++) {
            Objects.requireNonNull(names[i], "stats name");
            for (int j = 0; j < i; j++) {
                if (names[j].equals(names[i])) {
                    return withoutRepeats(names, values);
                }
            }
        }
        return new StatsValues(names, values);
    }

    /** A copy of any map of numbers (null names or values are refused, as {@link Map#copyOf} does). */
    public static StatsValues copyOf(Map<String, Double> map) {
        if (map instanceof StatsValues s) {
            return s;
        }
        String[] n = new String[map.size()];
        double[] v = new double[n.length];
        int i = 0;
        for (Map.Entry<String, Double> e : map.entrySet()) {
            n[i] = Objects.requireNonNull(e.getKey(), "stats name");
            v[i] = Objects.requireNonNull(e.getValue(), "stats value");
            i++;
        }
        return new StatsValues(n, v);
    }

    private static StatsValues withoutRepeats(String[] names, double[] values) {
        String[] n = new String[names.length];
        double[] v = new double[names.length];
        int size = 0;
        outer:
        for (int i = 0; i < names.length; i++) {
            for (int j = 0; j < size; j++) {
                if (n[j].equals(names[i])) {
                    v[j] = values[i];
                    continue outer;
                }
            }
            n[size] = names[i];
            v[size] = values[i];
            size++;
        }
        return new StatsValues(Arrays.copyOf(n, size), Arrays.copyOf(v, size));
    }

    /** The name at {@code i} (0 ≤ i < size), in this sample's order. */
    public String name(int i) {
        return names[i];
    }

    /** The value at {@code i}, unboxed. */
    public double value(int i) {
        return values[i];
    }

    /** Whether {@code other} has the same names in the same order (a series keeps one name list for its samples). */
    public boolean sameNames(String[] other) {
        return Arrays.equals(names, other);
    }

    /** A copy of the names, in this sample's order. */
    public String[] copyNames() {
        return names.clone();
    }

    @Override
    public int size() {
        return names.length;
    }

    private int indexOf(Object name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i] == name || names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean containsKey(Object name) {
        return indexOf(name) >= 0;
    }

    @Override
    public Double get(Object name) {
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Double> action) {
        for (int i = 0; i < names.length; i++) {
            action.accept(names[i], values[i]);
        }
    }

    @Override
    public Set<Map.Entry<String, Double>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return names.length;
            }

            @Override
            public Iterator<Map.Entry<String, Double>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < names.length;
                    }

                    @Override
                    public Map.Entry<String, Double> next() {
                        if (i >= names.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, Double> e = new SimpleImmutableEntry<>(names[i], values[i]);
                        i++;
                        return e;
                    }
                };
            }
        };
    }
}
