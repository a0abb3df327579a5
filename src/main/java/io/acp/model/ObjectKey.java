package io.acp.model;

import java.util.Objects;

/** Identity of a cluster object: its type and an id unique within that type. */
public record ObjectKey(ObjectType type, String id) {

    /** Longest id accepted; ids travel in every datagram and journal record. */
    public static final int MAX_ID_LENGTH = 128;

    public ObjectKey {
        Objects.requireNonNull(type, "type");
        String problem = problem(id);
        if (problem != null) {
            throw new IllegalArgumentException("rule object-id: " + type.wireName() + " id " + quoted(id) + " " + problem);
        }
    }

    /**
     * The same in every JVM (a record's default hashes its enum by identity, which differs from run
     * to run): hash maps of keys iterate in one order for one history, so a simulated run replays
     * bit for bit.
     */
    @Override
    public int hashCode() {
        return 31 * type.ordinal() + id.hashCode();
    }

    /**
     * Why {@code id} is not an object id, or null if it is one. Ids become file and mount-point
     * names on every node (pools, shares, volumes, sockets), so an id is a name, never a path
     * element: no separators, no control characters, no leading dot (which also rules out
     * {@code .} and {@code ..} and hidden files).
     */
    public static String problem(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return "must be 1.." + MAX_ID_LENGTH + " characters long";
        }
        if (id.charAt(0) == '.') {
            return "starts with '.'; an id is a name, never '.', '..' or a hidden file";
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
            if (!ok) {
                return "has character " + describe(c) + "; allowed: letters, digits, - _ . : (no path separators or control characters)";
            }
        }
        return null;
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f || Character.isISOControl(c) ? String.format("U+%04X (a control character)", (int) c) : "'" + c + "'";
    }

    private static String quoted(String id) {
        if (id == null) {
            return "(none)";
        }
        StringBuilder b = new StringBuilder("'");
        id.codePoints().limit(MAX_ID_LENGTH + 8L).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('\'').toString();
    }

    public static ObjectKey of(ObjectType type, String id) {
        return new ObjectKey(type, id);
    }

    @Override
    public String toString() {
        return type.wireName() + "/" + id;
    }
}
