package io.acp.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the links ACP creates, and the mark that says ACP created them. Linux link names are
 * at most 15 bytes; a name that would be longer gets a short hash of the network id instead.
 * Ownership is the ifalias {@code acp:network/<id>}: a link without it is never changed or deleted.
 */
public final class LinkNames {

    public static final String ALIAS_PREFIX = "acp:network/";
    static final int MAX_NAME = 15;

    private LinkNames() {
    }

    public static String alias(String networkId) {
        return ALIAS_PREFIX + networkId;
    }

    /** The network id an ACP alias names, or null for a link ACP did not create. */
    static String networkOf(String alias) {
        return alias != null && alias.startsWith(ALIAS_PREFIX) ? alias.substring(ALIAS_PREFIX.length()) : null;
    }

    /** The bridge of a network: {@code acp-<id>}, or {@code acp-<hash>} when the id is long or not a plain name. */
    public static String bridge(String networkId) {
        String plain = "acp-" + networkId;
        return plain.length() <= MAX_NAME && networkId.matches("[A-Za-z0-9_-]+") ? plain : "acp-" + hash(networkId, 10);
    }

    /** The VLAN sub-interface: {@code <uplink>.<vid>}, or {@code acpv<hash>.<vid>} when that is too long. */
    public static String vlanDevice(String uplink, int vid) {
        String plain = uplink + "." + vid;
        return plain.length() <= MAX_NAME ? plain : "acpv" + hash(uplink, 6) + "." + vid;
    }

    /** The VXLAN device of VNI {@code vni}: {@code acpvx<vni>}, at most 13 bytes. */
    public static String vxlanDevice(int vni) {
        return "acpvx" + vni;
    }

    private static String hash(String s, int hexChars) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, hexChars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
