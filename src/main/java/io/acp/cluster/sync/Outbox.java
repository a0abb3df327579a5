package io.acp.cluster.sync;

import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.MessageType;
import java.net.InetSocketAddress;
import org.jboss.logging.Logger;

/** Seals messages of this node into datagrams and hands them to the transport. */
final class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final DatagramSealer sealer;
    private final Transport transport;

    Outbox(DatagramSealer sealer, Transport transport) {
        this.sealer = sealer;
        this.transport = transport;
    }

    /** Body bytes that fit one datagram: bodies are packed to this so a lost datagram loses only itself. */
    int maxBody() {
        return sealer.maxBodyPerDatagram();
    }

    void toAll(MessageType type, byte[] body) {
        send(type, body, null);
    }

    void toPeer(MessageType type, byte[] body, InetSocketAddress peer) {
        send(type, body, peer);
    }

    private void send(MessageType type, byte[] body, InetSocketAddress to) {
        byte[][] datagrams;
        try {
            datagrams = sealer.seal(type, body);
        } catch (IllegalArgumentException e) {
            LOG.warnf("%s message not sent: %s", type, e.getMessage());
            return;
        }
        for (byte[] d : datagrams) {
            if (to == null) {
                transport.broadcast(d);
            } else {
                transport.unicast(to, d);
            }
        }
    }
}
