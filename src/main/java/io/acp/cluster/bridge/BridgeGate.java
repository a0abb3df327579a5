package io.acp.cluster.bridge;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.model.Entry;
import io.acp.model.LogLimit;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.NodeCertificates;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The bridge as a trust boundary: what the remote cluster sends is merged only if its key is one
 * the configuration lets the remote side write ({@code acp.cluster.bridge.writable}; nothing by
 * default) and its author is not a member of this cluster (a node whose certificate, issued by this
 * cluster's CA, is published in this CDB): a remote entry never speaks for a local node. The remote
 * side itself is a node certified by the remote CA (checked in the TLS handshake, {@link BridgeTls}).
 * Refusals are counted and logged (at most one line per rule every 10 s). Thread-safe.
 */
final class BridgeGate {

    private static final Logger LOG = Logger.getLogger(BridgeGate.class);
    private static final long MEMBERS_TTL_MILLIS = 2_000;
    private static final Duration LOG_EVERY = Duration.ofSeconds(10);

    private final Cdb cdb;
    private final X509Certificate localCa;
    private final BridgeSettings.Writable writable;
    private final BridgeCounters counters;
    private final String node;
    private Set<String> members = Set.of();
    private long membersAt = Long.MIN_VALUE / 2;
    private final LogLimit notWritableLog = new LogLimit(LOG_EVERY);
    private final LogLimit localAuthorLog = new LogLimit(LOG_EVERY);

    BridgeGate(Cdb cdb, X509Certificate localCa, BridgeSettings.Writable writable, BridgeCounters counters) {
        this.cdb = cdb;
        this.localCa = localCa;
        this.writable = writable;
        this.counters = counters;
        this.node = cdb.localNode();
    }

    /** Whether an entry received from {@code remote} may be merged; a refusal is counted and logged. */
    synchronized boolean admit(Entry e, String remote) {
        long now = System.currentTimeMillis();
        if (!writable.allows(e.key())) {
            counters.refusedNotWritable();
            if (notWritableLog.count() > 0) {
                LOG.warnf("bridge of node %s refused %s %s from %s (rule not-writable: acp.cluster.bridge.writable %s does not name it); %d refused so far",
                        node, e.kind().wireName(), e.key(), remote, writable.patterns(), counters.notWritableRefusals());
            }
            return false;
        }
        String author = e.version().node();
        if (members(now).contains(author) || (!(e.kind() == Entry.Kind.OBJECT) && members(now).contains(e.node()))) {
            counters.refusedLocalAuthor();
            if (localAuthorLog.count() > 0) {
                LOG.warnf("bridge of node %s refused %s %s from %s (rule local-author: it claims node %s, a member of this cluster); %d refused so far",
                        node, e.kind().wireName(), e.key(), remote, author, counters.localAuthorRefusals());
            }
            return false;
        }
        return true;
    }

    /** This node and every node whose certificate from this cluster's CA is published here. */
    private Set<String> members(long now) {
        if (now - membersAt < MEMBERS_TTL_MILLIS) {
            return members;
        }
        Set<String> found = new HashSet<>();
        found.add(node);
        for (ObjectKey k : cdb.reportedKeys(ObjectType.SERVICE)) {
            for (MetaEntry m : cdb.meta(k, null)) {
                if (CertificateMeta.isCertificateMeta(m) && issuedHere(m)) {
                    found.add(m.node());
                }
            }
        }
        members = found;
        membersAt = now;
        return found;
    }

    private boolean issuedHere(MetaEntry m) {
        try {
            byte[] der = Base64.getDecoder().decode(m.values().path("certificate").asText(""));
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
            cert.verify(localCa.getPublicKey());
            return m.node().equals(NodeCertificates.nodeId(cert));
        } catch (Exception e) {
            return false; // not a certificate of this cluster: not a member
        }
    }
}
