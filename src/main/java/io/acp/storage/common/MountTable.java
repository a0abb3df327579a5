package io.acp.storage.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mounts of this node's mount namespace, from {@code /proc/self/mountinfo}; reading it never touches a mount. */
public record MountTable(List<Mount> mounts) {

    /** One mount: where, what (device or {@code host:/export}) and its filesystem type. */
    public record Mount(Path target, String source, String fsType) {
    }

    public static MountTable read(Path mountinfo) {
        try {
            return parse(Files.readAllLines(mountinfo));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + mountinfo + ": " + e.getMessage(), e);
        }
    }

    /** Parses mountinfo lines: {@code id parent maj:min root target options [optional...] - fstype source superoptions}. */
    static MountTable parse(List<String> lines) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (f.length < 5 || dash < 0 || dash + 2 >= f.length) {
                continue;
            }
            out.add(new Mount(Path.of(unescape(f[4])), unescape(f[dash + 2]), f[dash + 1]));
        }
        return new MountTable(List.copyOf(out));
    }

    /** The last (topmost) mount exactly at {@code target}. */
    public Optional<Mount> at(Path target) {
        Mount found = null;
        for (Mount m : mounts) {
            if (m.target().equals(target)) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Targets where {@code /dev/<device>} is mounted. */
    public List<Path> targetsOf(String device) {
        String source = "/dev/" + device;
        return mounts.stream().filter(m -> m.source().equals(source)).map(Mount::target).toList();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal ({@code \040}). */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                try {
                    b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                    i += 3;
                    continue;
                } catch (NumberFormatException e) {
                    // not an escape: keep the backslash
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
