/**
 * Cluster sync: the CDB of every node replicated over authenticated UDP multicast (or a unicast
 * peer list), as described in docs/protocol.md, "Cluster sync".
 *
 * <ul>
 *   <li>{@link io.acp.cluster.sync.ClusterSync}: the lifecycle and the one sync thread; start here.</li>
 *   <li>{@code transport}: raw datagrams on NIO channels with one selector thread
 *       ({@code MulticastTransport}, {@code PeerListTransport}) behind the {@code Transport} interface.</li>
 *   <li>{@code wire}: the datagram format and its security (keys, sealing, opening, replay window,
 *       fragments), the entry codec and the drop counters.</li>
 *   <li>{@code origin}: who wrote each entry: batches sealed with the node key, seals checked
 *       against the authors' CA-issued certificates, refusals counted by rule and sender.</li>
 *   <li>{@code membership}: alive / suspect / dead per peer, and its publication as node meta.</li>
 *   <li>here: deltas ({@code DeltaBundler}), the digest ({@code StateIndex}), anti-entropy
 *       ({@code AntiEntropy}), the epoch file, and the send and receive paths ({@code Outbox}, {@code Inbox}).</li>
 * </ul>
 */
package io.acp.cluster.sync;
