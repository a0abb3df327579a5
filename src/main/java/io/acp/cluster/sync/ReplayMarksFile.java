package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.ReplayGuard;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The format of the replay window's high-water marks in the data dir ({@value #NAME}, one line per
 * sender: {@code <node> <epoch> <highest sequence>}), restored at start so datagrams recorded before
 * a restart are still refused after it. {@link ReplayMarksSaver} is the file's one writer.
 */
final class ReplayMarksFile {

    static final String NAME = "sync-replay-marks";

    private ReplayMarksFile() {
    }

    /** The saved marks, or none if there is no file; a line that does not parse is an error naming it. */
    static Map<String, ReplayGuard.Mark> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(NAME);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        Map<String, ReplayGuard.Mark> out = new HashMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split(" ");
            try {
                if (f.length != 3) {
                    throw new NumberFormatException("3 fields expected");
                }
                out.put(f[0], new ReplayGuard.Mark(Long.parseLong(f[1]), Long.parseLong(f[2])));
            } catch (NumberFormatException e) {
                throw new IOException("replay marks file " + file + " has the line '" + line + "', not '<node> <epoch> <sequence>'; "
                        + "remove the file to start without marks (replays of the last run are then possible once)");
            }
        }
        return out;
    }

    /** The file's text for {@code marks}: one sorted line per sender; a sender id that would break the line format is left out. */
    static String text(Map<String, ReplayGuard.Mark> marks) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(marks).forEach((sender, m) -> {
            if (!sender.matches("[!-~]+")) {
                return; // not one of our node ids
            }
            b.append(sender).append(' ').append(m.epoch()).append(' ').append(m.highest()).append('\n');
        });
        return b.toString();
    }
}
