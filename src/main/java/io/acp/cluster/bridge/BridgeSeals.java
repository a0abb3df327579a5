package io.acp.cluster.bridge;

import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.origin.SetsOnce;
import io.acp.model.Entry;
import io.acp.model.MetaEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The sealed form of what a bridge link sends: each entry as its author sealed it (the seal this
 * node's cluster sync holds), so the remote bridge checks the author, not this node's word; this
 * node's own entries that have no seal yet (written since the last flush) are sealed here, in one
 * batch. An entry of another node whose seal is not held here is handed back unsealed: the remote
 * side could not check it, and the link waits for the seal ({@link SealWait}). Thread-safe.
 */
final class BridgeSeals {

    private final String node;
    private final NodeSigner signer;
    private final Function<Entry, Optional<SealedEntry>> held;

    BridgeSeals(NodeSigner signer, Function<Entry, Optional<SealedEntry>> held) {
        this.node = signer.node();
        this.signer = signer;
        this.held = held;
    }

    /**
     * This node's certificate as its own meta, sealed: sent first on every link, so the remote side
     * can check this node's seals even where no cluster sync published the certificate in the CDB.
     * Never merged there (certificate metas are only learned from the link).
     */
    SealedEntry ownCertificate(long versionTime) {
        MetaEntry m = new MetaEntry(CertificateMeta.key(node, signer.keyId()), node, CertificateMeta.values(signer.certificate()), new Version(versionTime, node));
        return signer.seal(List.of(m)).get(0);
    }

    /** What {@link #seal} made of a batch: the entries it could prove, in order, and those it could not yet. */
    record Sealing(List<SealedEntry> sealed, List<Entry> unsealed) {
    }

    /** The entries in sealed form, in order; those of other nodes whose seal is not held here come back unsealed. */
    Sealing seal(List<Entry> entries) {
        List<SealedEntry> out = new ArrayList<>(entries.size());
        List<Entry> unsealed = new ArrayList<>();
        List<Integer> ownAt = new ArrayList<>();
        List<Entry> own = new ArrayList<>();
        SetsOnce sets = new SetsOnce();
        for (Entry e : entries) {
            Optional<SealedEntry> s = held.apply(e);
            if (s.isPresent()) {
                if (sets.takes(s.get())) {
                    out.add(s.get());
                }
            } else if (SealedEntry.requiredAuthor(e).equals(node) && (e.kind() == Entry.Kind.OBJECT || e.node().equals(node))) {
                ownAt.add(out.size());
                own.add(e);
                out.add(null);
            } else {
                unsealed.add(e);
            }
        }
        if (!own.isEmpty()) {
            List<SealedEntry> sealed = signer.seal(own);
            for (int i = 0; i < sealed.size() && i < ownAt.size(); i++) {
                out.set(ownAt.get(i), sealed.get(i));
            }
        }
        out.removeIf(java.util.Objects::isNull);
        return new Sealing(out, unsealed);
    }
}
