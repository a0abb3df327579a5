package io.acp.api;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;
import java.io.IOException;

/**
 * Who is at the other end of a Unix socket connection: the kernel's SO_PEERCRED uid, which the
 * client cannot choose. Connection caps and failed-authentication limits count per uid, so an
 * unprivileged local user cannot use up the admin's share.
 */
final class PeerCredentials {

    private PeerCredentials() {
    }

    /** {@code uid:N} of the connected process, or {@code uid:unknown} if the transport cannot tell (then all such peers share one limit). */
    static String uidKey(NetSocket socket) {
        if (socket instanceof NetSocketInternal internal) {
            Channel ch = internal.channelHandlerContext().channel();
            if (ch instanceof EpollDomainSocketChannel unix) {
                try {
                    return "uid:" + unix.peerCredentials().uid();
                } catch (IOException | RuntimeException e) {
                    return "uid:unknown";
                }
            }
        }
        return "uid:unknown";
    }
}
