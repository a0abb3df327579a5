package io.acp.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A serial console's end on a real pty, as qemu leaves it (raw mode): a helper process holds the
 * master side, writes a numbered line every few milliseconds (a guest printing) and answers what it
 * reads with "got:" (a guest's shell). The end reads the stream as it goes on, writes through to
 * the master, and closing it ends its reading thread while the helper still writes.
 */
class PtyEndTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    /** The other side of a pty: prints the slave's path, then ticks and answers until killed. */
    private static final String HELPER = String.join("\n",
            "import os, sys, tty, select, time",
            "m, s = os.openpty()",
            "tty.setraw(s)",
            "print(os.ttyname(s), flush=True)",
            "n = 0",
            "while True:",
            "    r, _, _ = select.select([m], [], [], 0.005)",
            "    if r:",
            "        os.write(m, b'got:' + os.read(m, 1024) + b'\\r\\n')",
            "    n += 1",
            "    os.write(m, b'tick %d\\r\\n' % n)");

    /** A quiet guest: the master side only answers what it reads, and prints nothing by itself. */
    private static final String QUIET = String.join("\n",
            "import os, tty",
            "m, s = os.openpty()",
            "tty.setraw(s)",
            "print(os.ttyname(s), flush=True)",
            "while True:",
            "    os.write(m, b'got:' + os.read(m, 1024) + b'\\r\\n')");

    private Vertx vertx;
    private Process helper;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (helper != null) {
            helper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aStreamIsReadAsItGoesOnWrittenThroughAndClosingStopsTheReader() throws Exception {
        helper = new ProcessBuilder("python3", "-c", HELPER).start();
        String slave = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(slave).startsWith("/dev/pts/");

        ByteEnd end = PtyEnd.open(vertx, Path.of(slave)).await().atMost(LIMIT);
        StringBuilder got = new StringBuilder();
        end.handler(chunk -> {
            synchronized (got) {
                got.append(chunk.toString(StandardCharsets.US_ASCII));
            }
        });
        until(() -> text(got).lines().filter(l -> l.startsWith("tick")).count() >= 50);
        end.write(Buffer.buffer("ls"));
        until(() -> text(got).contains("got:ls"));

        end.close();
        until(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("acp-serial-" + Path.of(slave).getFileName())));
        assertThat(helper.isAlive()).isTrue();
    }

    /** A keystroke reaches a guest that prints nothing meanwhile: the end's blocked read does not hold its write back. */
    @Test
    void aWriteReachesAQuietGuestWhileTheReaderWaits() throws Exception {
        helper = new ProcessBuilder("python3", "-c", QUIET).start();
        String slave = new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.UTF_8)).readLine();
        ByteEnd end = PtyEnd.open(vertx, Path.of(slave)).await().atMost(LIMIT);
        StringBuilder got = new StringBuilder();
        end.handler(chunk -> {
            synchronized (got) {
                got.append(chunk.toString(StandardCharsets.US_ASCII));
            }
        });
        Thread.sleep(200); // the reader is blocked in its read by now: nothing comes until the guest answers
        end.write(Buffer.buffer("id"));
        until(() -> text(got).contains("got:id"));
        end.write(Buffer.buffer("ls"));
        until(() -> text(got).contains("got:ls"));
        end.close();
    }

    private static String text(StringBuilder b) {
        synchronized (b) {
            return b.toString();
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within %s", LIMIT).isLessThan(end);
            Thread.sleep(20);
        }
    }
}
