package io.acp.monitor;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One rule that holds for one subject: it costs {@code points} of the score and is the condition
 * of one alarm, whose id is deterministic so that any primary, at any time, names it the same.
 *
 * @param subject the object it concerns, {@code type/id}
 * @param node    the node it concerns (the reporting node, or the node itself), or null
 */
public record Hit(Rule rule, Severity severity, int points, String subject, String node, String message) {

    /** Longest object id (see ObjectKey). */
    private static final int MAX_ID = 128;

    /**
     * {@code <rule>:<type>:<id>[:<node>]} (the node only when it is not the subject itself); ids
     * too long for an object id keep a prefix and a hash of the whole.
     */
    public String alarmId() {
        return alarmId(rule, subject, node);
    }

    public static String alarmId(Rule rule, String subject, String node) {
        String id = rule.id() + ":" + subject.replace('/', ':');
        if (node != null && !subject.equals("node/" + node)) {
            id += ":" + node;
        }
        id = id.replaceAll("[^A-Za-z0-9._:-]", "_");
        if (id.length() <= MAX_ID) {
            return id;
        }
        return id.substring(0, MAX_ID - 17) + "-" + sha256(id).substring(0, 16);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
