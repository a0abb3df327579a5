package io.acp.cli;

import io.acp.api.client.ApiClient;
import io.acp.node.NodeIdentity;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.CertificateAuthority;
import io.acp.security.PkiFiles;
import io.acp.security.Revocation;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

@Command(name = "revoke", description = {
    "On the node that holds the CA key, while it runs: revoke a node's or an operator's certificates. TARGET is a name (every",
    "certificate of that node or operator issued until now) or a serial (serial:HEX, or 20+ hex digits: that certificate).",
    "The revocation is signed with the CA key and published in the cluster state; every node enforces it within seconds."})
class ClusterRevokeCommand extends ClientCommand implements NeedsApplication {

    @Inject
    NodeIdentity identity;

    @Parameters(index = "0", paramLabel = "TARGET", description = "NODE, OPERATOR or a certificate serial.")
    String target;

    private String name;
    private BigInteger serial;
    private CertificateAuthority ca;

    @Override
    protected void validate() {
        try {
            if (Revocation.looksLikeSerial(target)) {
                serial = new BigInteger(target.toLowerCase(java.util.Locale.ROOT).replaceFirst("^serial:", ""), 16);
            } else {
                new ObjectKey(ObjectType.NODE, target);
                name = target;
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "TARGET must be a node or operator name or serial:HEX: " + e.getMessage());
        }
        // Before connecting: only the CA node can sign, whatever the node's state.
        ca = ClusterPki.loadAuthority(PkiFiles.in(identity.dataDir()));
    }

    @Override
    protected int run(ApiClient api) {
        Revocation r = name != null ? Revocation.ofName(ca, name, Instant.now()) : Revocation.ofSerial(ca, serial, Instant.now());
        var args = io.acp.model.JsonTrees.object().put("type", ObjectType.SECURITY.wireName()).put("id", r.objectId())
                .put("subtype", Revocation.SUBTYPE);
        args.set("spec", r.toSpec());
        return print(api.call("cluster", "put", args), (stored, out) -> out.println("revoked " + r.describe() + ": published as "
                + EntryText.name(stored) + " version " + stored.path("version").asText() + "; every node enforces it within seconds of receiving it"));
    }
}
