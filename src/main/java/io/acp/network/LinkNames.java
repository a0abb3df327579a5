package io.acp.network;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the links ACP creates, and the mark that says ACP created them. Linux link names are
 * at most 15 bytes; a name that would be longer gets a short hash of the network id instead.
 * Ownership is the ifalias {@code acp:network/<id>@<node>}: a link without it is never changed or
 * deleted, and a node changes or deletes only the links its own mark names, so two nodes that
 * share a network namespace (a mistake, but one a stray process makes easily) leave each other's
 * links alone. Links marked before the node was part of the mark ({@code acp:network/<id>}) are
 * taken as the node's own.
 */
public final class LinkNames {

    public static final String ALIAS_PREFIX = "acp:network/";
    static final int MAX_NAME = 15;

    private LinkNames() {
    }

    /** Separates the network from the node in a mark: never part of an object id. */
    private static final char OWNER = '@';

    /** The mark of a link node {@code nodeId} creates for network {@code networkId}. */
    public static String alias(String networkId, String nodeId) {
        return ALIAS_PREFIX + networkId + OWNER + nodeId;
    }

    /** The network id an ACP alias names, or null for a link ACP did not create. */
    static String networkOf(String alias) {
        if (alias == null || !alias.startsWith(ALIAS_PREFIX)) {
            return null;
        }
        int owner = alias.indexOf(OWNER, ALIAS_PREFIX.length());
        return owner < 0 ? alias.substring(ALIAS_PREFIX.length()) : alias.substring(ALIAS_PREFIX.length(), owner);
    }

    /** The node an ACP alias names, or null: not ACP's, or marked before marks named their node. */
    static String ownerOf(String alias) {
        if (alias == null || !alias.startsWith(ALIAS_PREFIX)) {
            return null;
        }
        int owner = alias.indexOf(OWNER, ALIAS_PREFIX.length());
        return owner < 0 ? null : alias.substring(owner + 1);
    }

    /**
     * Whether an ACP alias is node {@code nodeId}'s to change or delete: its own mark, or one from
     * before marks named their node. False for a link ACP did not create.
     */
    static boolean ownedByNode(String alias, String nodeId) {
        String owner = ownerOf(alias);
        return owner == null ? networkOf(alias) != null : owner.equals(nodeId);
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
