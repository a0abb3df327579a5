package io.acp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free UDP ports and a per-test multicast group in 239.0.0.0/8, so parallel tests never meet. */
public final class Ports {

    private Ports() {
    }

    public static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String randomGroup() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "239.77." + r.nextInt(1, 255) + "." + r.nextInt(1, 255);
    }
}
