package io.acp.cluster.sync;

/** A node's state digest: the root over its bucket hashes and how many entries it covers. */
public record StateDigest(long root, int entries) {

    @Override
    public String toString() {
        return Long.toHexString(root) + "/" + entries;
    }
}
