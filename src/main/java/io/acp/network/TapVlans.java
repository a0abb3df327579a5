package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The VLAN a system's tap on a trunk should carry untagged. A system NIC
 * {@code {"network": "t", "mac": "52:54:00:12:34:56", "vlan": 10}} asks for it. libvirt gives the
 * tap of a NIC the guest's MAC with the first byte set to {@code fe}, which is how a tap is matched
 * to its NIC; a NIC without a fixed {@code mac} cannot be matched and its tap carries every VLAN
 * of the trunk, tagged.
 */
final class TapVlans {

    private TapVlans() {
    }

    static Optional<Integer> of(Cdb cdb, Link tap, Map<String, NetworkSpec> networks) {
        if (tap == null || tap.mac().length() != 17 || tap.master() == null) {
            return Optional.empty();
        }
        String tail = tap.mac().substring(2).toLowerCase(Locale.ROOT);
        for (ObjectEntry system : cdb.objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            for (JsonNode nic : system.spec().path("interfaces")) {
                String network = nic.path("network").asText("");
                String mac = nic.path("mac").asText("").toLowerCase(Locale.ROOT);
                NetworkSpec spec = networks.get(network);
                if (spec != null && mac.length() == 17 && mac.substring(2).equals(tail) && nic.path("vlan").canConvertToInt()
                        && spec.vlans().contains(nic.path("vlan").asInt())) {
                    return Optional.of(nic.path("vlan").asInt());
                }
            }
        }
        return Optional.empty();
    }
}
