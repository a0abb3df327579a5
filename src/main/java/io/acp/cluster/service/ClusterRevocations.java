package io.acp.cluster.service;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectType;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.security.RevocationList;

/** The revocations in this node's CDB, checked against its cluster CA: what sync and the bridge ask. */
public final class ClusterRevocations {

    private ClusterRevocations() {
    }

    /** Reads {@code pki/ca.crt} (blocking, once); the list then reads the CDB at most every second. */
    public static RevocationList of(Cdb cdb, PkiFiles pki) {
        return new RevocationList(cdb.localNode(), Pem.readCertificate(pki.caCertificate()),
                () -> cdb.objects(ObjectQuery.ofType(ObjectType.SECURITY)));
    }
}
