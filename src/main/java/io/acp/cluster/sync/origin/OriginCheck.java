package io.acp.cluster.sync.origin;

import io.acp.model.Entry;
import io.acp.model.MetaEntry;
import io.acp.model.StatsEntry;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Origin authentication of received entries, the rules in order (docs/security.md, "Origin
 * authentication of sync"): the entry is sealed; its seal's author is the node it must come from
 * (the writer of an object, the reporter of meta and stats, whose version names the same node);
 * a certificate the entry itself publishes is checked against the cluster CA; the author has a
 * known, valid, unrevoked certificate with the seal's key; the seal verifies. Each refusal is
 * counted and logged by {@link OriginCounters}. Not thread-safe: the sync thread.
 */
public final class OriginCheck {

    private final AuthorKeys keys;
    private final OriginCounters counters;
    private final SealVerifier verifier = new SealVerifier();
    private final LongSupplier clockMillis;

    public OriginCheck(AuthorKeys keys, OriginCounters counters, LongSupplier clockMillis) {
        this.keys = keys;
        this.counters = counters;
        this.clockMillis = clockMillis;
    }

    /**
     * Whether the entry may be merged; a refusal is counted and logged naming {@code sender}.
     *
     * @param sender the node (or bridge link) it was received from
     */
    public boolean accept(SealedEntry s, String sender) {
        return refusal(s, sender) == null;
    }

    /** Null if the entry may be merged, else the rule that refused it (counted and logged as by {@link #accept}). */
    public Refusal refusal(SealedEntry s, String sender) {
        Refusal r = check(s, sender);
        if (r == null) {
            counters.verified();
        }
        return r;
    }

    private Refusal check(SealedEntry s, String sender) {
        Entry e = s.entry();
        if (s.seal() == null) {
            return refuse(Refusal.UNSIGNED, sender, e, "the entry carries no seal");
        }
        String author = s.seal().author();
        String required = SealedEntry.requiredAuthor(e);
        boolean reported = e instanceof MetaEntry || e instanceof StatsEntry;
        // an L3 bridge of this cluster vouches for the remote cluster's entries, never for a member's
        boolean bridged = !author.equals(required) && keys.bridge(author) && !keys.member(required);
        if ((!author.equals(required) && !bridged) || (reported && !e.node().equals(required))) {
            if (!author.equals(required) && keys.bridge(author)) {
                return refuse(Refusal.NOT_AUTHOR, sender, e, "bridge " + author + " relays an entry claiming node " + required
                        + ", a member of this cluster; a bridge may only relay entries of the remote cluster's nodes");
            }
            return refuse(Refusal.NOT_AUTHOR, sender, e, reported
                    ? "only node " + e.node() + " may write its own " + e.kind().wireName() + ", this one is sealed by " + author
                    : "the object version names writer " + required + " but the entry is sealed by " + author);
        }
        Optional<X509Certificate> published;
        try {
            published = CertificateMeta.of(e);
        } catch (IllegalArgumentException ex) {
            return refuse(Refusal.BAD_CERTIFICATE, sender, e, ex.getMessage());
        }
        if (published.isPresent()) {
            try {
                keys.learn(author, published.get());
            } catch (IllegalArgumentException ex) {
                return refuse(Refusal.BAD_CERTIFICATE, sender, e, ex.getMessage());
            }
        }
        AuthorKeys.Lookup key = keys.key(author, s.seal().keyId(), clockMillis.getAsLong());
        if (key.problem() == AuthorKeys.Problem.UNKNOWN) {
            return refuse(Refusal.UNKNOWN_AUTHOR, sender, e, "no certificate of node " + author + " with key "
                    + Long.toHexString(s.seal().keyId()) + " is known here yet");
        }
        if (key.problem() != null) {
            return refuse(Refusal.REVOKED, sender, e, "the certificate of node " + author + " (serial "
                    + key.certificate().getSerialNumber().toString(16) + ") is " + key.problem().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (!verifier.verify(s, key.key())) {
            return refuse(Refusal.BAD_SIGNATURE, sender, e, "the seal does not verify under the key of node " + author);
        }
        if (CertificateMeta.bridge(e)) {
            keys.markBridge(author); // only once its own seal proved the member said so
        }
        return null;
    }

    /** Counts and logs a refusal; the entry is described only then (accepting allocates no text). */
    private Refusal refuse(Refusal rule, String sender, Entry e, String detail) {
        counters.refused(rule, sender, describe(e), detail);
        return rule;
    }

    static String describe(Entry e) {
        return e.kind().wireName() + " " + e.key() + (e instanceof MetaEntry || e instanceof StatsEntry ? " of node " + e.node() : "")
                + " (version " + e.version() + ")";
    }

    /** A batch its author vouched for to this node by a seal tag: its entries then pass with no verification. */
    void vouch(String author, SealTags.Batch batch) {
        verifier.vouch(author, batch);
    }

    /** Batches accepted under their author's seal tag instead of an ECDSA verification. */
    public long sealsVouched() {
        return verifier.sealsVouched();
    }

    /** ECDSA verifications done; the rest were answered from batches verified before. */
    public long signaturesVerified() {
        return verifier.signaturesVerified();
    }
}
