package io.acp.security;

import io.acp.model.ObjectEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The revocations in the cluster state, as this node enforces them: the {@code security} objects
 * of subtype {@code revocation} whose signature the cluster CA made. A revocation that does not
 * verify is ignored and logged once per version (anyone who may write objects can write one; only
 * the CA key makes it count). Verified revocations are kept for the life of the process even if
 * their object is later deleted, so a member that deletes one does not un-revoke anything here.
 * The state is read again at most every {@link #REFRESH}, which bounds how soon a revocation
 * published on the CA node is enforced here once cluster sync has carried it.
 * <p>
 * Two ways to ask. {@link #revocationOf} reads the state itself when the list is stale (the sync
 * asks on its own thread). {@link #knownRevocationOf} only looks the certificate up in what the last
 * refresh verified, so an event loop may ask it for every connection and request; whoever asks that
 * way calls {@link #refreshQuietly} on a worker every {@link #REFRESH} (the agent and the HTTPS
 * listener do), which keeps "enforced within seconds" without reading the CDB or checking a
 * signature on the loop.
 */
public final class RevocationList implements Revocations {

    private static final Logger LOG = Logger.getLogger(RevocationList.class);
    /** How stale the list may be when asked. */
    public static final Duration REFRESH = Duration.ofSeconds(1);

    private final String node;
    private final X509Certificate ca;
    private final Supplier<List<ObjectEntry>> objects;
    private final Map<String, Revocation> verified = new ConcurrentHashMap<>();
    private final Set<String> seenVersions = new HashSet<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile long refreshedAt = System.nanoTime() - REFRESH.toNanos() - 1;

    /**
     * @param node this node, for log messages
     * @param ca the cluster CA certificate revocations must be signed by
     * @param objects the {@code security} objects of the cluster state (any subtype; others are skipped)
     */
    public RevocationList(String node, X509Certificate ca, Supplier<List<ObjectEntry>> objects) {
        this.node = node;
        this.ca = ca;
        this.objects = objects;
    }

    @Override
    public boolean revoked(X509Certificate cert) {
        return revocationOf(cert).isPresent();
    }

    /** The verified revocation covering {@code cert}, if any. */
    public Optional<Revocation> revocationOf(X509Certificate cert) {
        if (System.nanoTime() - refreshedAt > REFRESH.toNanos()) {
            refresh();
        }
        for (Revocation r : verified.values()) {
            if (r.covers(cert)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The verified revocation covering {@code cert} as of the last refresh: map lookups by its
     * serial and its names, never a read of the cluster state or a signature check.
     */
    public Optional<Revocation> knownRevocationOf(X509Certificate cert) {
        Revocation bySerial = verified.get(Revocation.idOfSerial(cert.getSerialNumber()));
        if (bySerial != null && bySerial.covers(cert)) {
            return Optional.of(bySerial);
        }
        for (String name : new String[] {NodeCertificates.nodeId(cert), NodeCertificates.operatorName(cert)}) {
            Revocation byName = name == null ? null : verified.get(Revocation.idOfName(name));
            if (byName != null && byName.covers(cert)) {
                return Optional.of(byName);
            }
        }
        return Optional.empty();
    }

    /** As {@link #knownRevocationOf}, true if there is one. */
    public boolean knownRevoked(X509Certificate cert) {
        return knownRevocationOf(cert).isPresent();
    }

    /**
     * {@link #refresh} for a timer on a worker: skipped while another refresh runs (a slow CDB never
     * piles refreshes up), and a failure is logged and left to the next tick, which keeps what was
     * verified so far (revocations are never forgotten).
     */
    public void refreshQuietly() {
        if (!refreshing.compareAndSet(false, true)) {
            return;
        }
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warnf("node %s did not read the revocations this time: %s", node, e.getMessage());
        } finally {
            refreshing.set(false);
        }
    }

    /** Reads the cluster state now. */
    public synchronized void refresh() {
        refreshedAt = System.nanoTime();
        for (ObjectEntry e : objects.get()) {
            if (e.deleted() || !Revocation.SUBTYPE.equals(e.subtype()) || !seenVersions.add(e.id() + "@" + e.version())) {
                continue;
            }
            Revocation r;
            try {
                r = Revocation.fromSpec(e.spec());
            } catch (IllegalArgumentException bad) {
                LOG.warnf("node %s ignores %s written by node %s: %s", node, e.key(), e.node(), bad.getMessage());
                continue;
            }
            if (!r.verifiedBy(ca) || !r.objectId().equals(e.id())) {
                LOG.warnf("node %s ignores %s written by node %s: its signature is not the cluster CA's (or it is filed under another id)",
                        node, e.key(), e.node());
                continue;
            }
            Revocation before = verified.get(r.objectId());
            if (before == null || before.revokedAt().isBefore(r.revokedAt())) {
                verified.put(r.objectId(), r);
                LOG.infof("node %s enforces the revocation of %s", node, r.describe());
            }
        }
    }
}
