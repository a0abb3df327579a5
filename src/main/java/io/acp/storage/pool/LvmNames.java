package io.acp.storage.pool;

import java.util.regex.Pattern;

/** Names LVM accepts for volume groups and logical volumes, and ACP's volume names in general. */
final class LvmNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,127}");

    private LvmNames() {
    }

    /** Letters, digits and {@code + _ . -}, not starting with {@code -}, not {@code .} or {@code ..}; at most 128. */
    static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }
}
