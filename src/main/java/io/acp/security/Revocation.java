package io.acp.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Locale;

/**
 * A revocation signed by the cluster CA, published as the object
 * {@code security/<objectId()>} (subtype {@code revocation}) and enforced by every node that can
 * verify it against its {@code pki/ca.crt}. It names either one certificate by serial, or a name:
 * every certificate of that node (or operator) that starts before {@code revokedAt}. A certificate
 * issued later for the same name, as a join with {@code --replace} does, is not covered.
 *
 * @param name the node or operator name, or null for a serial revocation
 * @param serial the certificate serial, or null for a name revocation
 * @param revokedAt whole seconds (certificates carry whole seconds too)
 * @param signature SHA256withECDSA by the CA key over {@link #signedText()}
 */
public record Revocation(String name, BigInteger serial, Instant revokedAt, byte[] signature) {

    /** The object subtype and the id prefix of revocations in the {@code security} type. */
    public static final String SUBTYPE = "revocation";

    public Revocation {
        if ((name == null) == (serial == null)) {
            throw new IllegalArgumentException("a revocation names either a node/operator or a certificate serial");
        }
    }

    /** Signs the revocation of every certificate of {@code name} issued until now. */
    public static Revocation ofName(CertificateAuthority ca, String name, Instant at) {
        return signed(ca, name, null, at.truncatedTo(ChronoUnit.SECONDS));
    }

    /** Signs the revocation of the certificate with {@code serial}. */
    public static Revocation ofSerial(CertificateAuthority ca, BigInteger serial, Instant at) {
        return signed(ca, null, serial, at.truncatedTo(ChronoUnit.SECONDS));
    }

    private static Revocation signed(CertificateAuthority ca, String name, BigInteger serial, Instant at) {
        Revocation unsigned = new Revocation(name, serial, at, new byte[0]);
        return new Revocation(name, serial, at, ca.signData(unsigned.signedText()));
    }

    /** The object id: {@code revoked.name.<name>} or {@code revoked.serial.<hex>}. */
    public String objectId() {
        return name != null ? idOfName(name) : idOfSerial(serial);
    }

    /** The object id a revocation of every certificate of {@code name} is filed under. */
    static String idOfName(String name) {
        return "revoked.name." + name;
    }

    /** The object id a revocation of the certificate with {@code serial} is filed under. */
    static String idOfSerial(BigInteger serial) {
        return "revoked.serial." + serial.toString(16);
    }

    /** Whether the cluster CA {@code ca} signed this revocation. */
    public boolean verifiedBy(X509Certificate ca) {
        return CertificateAuthority.verifyData(ca, signedText(), signature);
    }

    /** Whether this revocation covers {@code cert} (not whether it is genuine: see {@link #verifiedBy}). */
    public boolean covers(X509Certificate cert) {
        if (serial != null) {
            return serial.equals(cert.getSerialNumber());
        }
        boolean named = name.equals(NodeCertificates.nodeId(cert)) || name.equals(NodeCertificates.operatorName(cert));
        return named && cert.getNotBefore().toInstant().isBefore(revokedAt);
    }

    public String describe() {
        return (name != null ? "every certificate of '" + name + "' issued before " + revokedAt
                : "certificate serial " + serial.toString(16)) + " (revoked at " + revokedAt + ")";
    }

    public ObjectNode toSpec() {
        ObjectNode o = Json.object();
        if (name != null) {
            o.put("name", name);
        } else {
            o.put("serial", serial.toString(16));
        }
        return o.put("revokedAt", revokedAt.getEpochSecond()).put("signature", Base64.getEncoder().encodeToString(signature));
    }

    /** Reads a spec written by {@link #toSpec()}; throws IllegalArgumentException if it is not one. */
    public static Revocation fromSpec(JsonNode spec) {
        try {
            String name = spec.hasNonNull("name") ? spec.get("name").asText() : null;
            BigInteger serial = spec.hasNonNull("serial") ? new BigInteger(spec.get("serial").asText(), 16) : null;
            if (!spec.path("revokedAt").isIntegralNumber()) {
                throw new IllegalArgumentException("no revokedAt");
            }
            byte[] signature = Base64.getDecoder().decode(spec.path("signature").asText(""));
            return new Revocation(name, serial, Instant.ofEpochSecond(spec.get("revokedAt").asLong()), signature);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a revocation (name or serial, revokedAt, signature): " + e.getMessage(), e);
        }
    }

    /**
     * Parses what {@code acp cluster revoke} takes: {@code serial:HEX} or 20 and more hex digits
     * (the CA's serials are 127 random bits) is a certificate serial, anything else a name.
     */
    public static boolean looksLikeSerial(String arg) {
        String a = arg.toLowerCase(Locale.ROOT);
        return a.startsWith("serial:") || a.matches("[0-9a-f]{20,}");
    }

    byte[] signedText() {
        String what = name != null ? "name " + name : "serial " + serial.toString(16);
        return ("acp-revocation-v1\n" + what + "\n" + revokedAt.getEpochSecond() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Revocation r && java.util.Objects.equals(name, r.name) && java.util.Objects.equals(serial, r.serial)
                && revokedAt.equals(r.revokedAt) && java.util.Arrays.equals(signature, r.signature);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, serial, revokedAt) * 31 + java.util.Arrays.hashCode(signature);
    }

    @Override
    public String toString() {
        return "Revocation[" + describe() + "]";
    }
}
