package io.acp.security;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.netty.util.NetUtil;
import java.util.Arrays;
import java.util.List;

/**
 * What a join token admits, as the issuer recorded it: the one node name the CA will sign, whether
 * that name may replace an existing member, and the addresses it may be redeemed from (empty: any).
 *
 * @param from IP address literals (v4 or v6); the joiner's source address must be one of them
 */
public record JoinBinding(String node, boolean replace, List<String> from) {

    public JoinBinding {
        new ObjectKey(ObjectType.NODE, node);
        from = List.copyOf(from);
        for (String a : from) {
            if (NetUtil.createByteArrayFromIpAddressString(a) == null) {
                throw new IllegalArgumentException("--from takes IP addresses, not '" + a + "'");
            }
        }
    }

    /** Whether a join from {@code remoteIp} may redeem the token. */
    public boolean allows(String remoteIp) {
        if (from.isEmpty()) {
            return true;
        }
        byte[] remote = NetUtil.createByteArrayFromIpAddressString(remoteIp);
        return remote != null && from.stream().anyMatch(a -> Arrays.equals(NetUtil.createByteArrayFromIpAddressString(a), remote));
    }

    /** The record's fields in the token store: {@code node 0|1 ip,ip|-}. */
    String stored() {
        return node + " " + (replace ? "1" : "0") + " " + (from.isEmpty() ? "-" : String.join(",", from));
    }

    static JoinBinding parseStored(String node, String replace, String from) {
        return new JoinBinding(node, replace.equals("1"), from.equals("-") ? List.of() : List.of(from.split(",")));
    }
}
