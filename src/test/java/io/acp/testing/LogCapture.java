package io.acp.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The formatted INFO-and-above log lines of the given packages while open; other tests in the JVM
 * may have raised their levels, so INFO is set and restored.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Map<String, Level> levels = new HashMap<>();

    public LogCapture(String... packages) {
        for (String name : packages) {
            Logger l = Logger.getLogger(name);
            levels.put(name, l.getLevel());
            l.setLevel(Level.INFO);
            l.addHandler(this);
        }
    }

    public List<String> lines() {
        return lines;
    }

    public boolean has(String... parts) {
        return lines.stream().anyMatch(l -> java.util.Arrays.stream(parts).allMatch(l::contains));
    }

    @Override
    public void publish(LogRecord r) {
        Object[] p = r.getParameters();
        lines.add(p == null || p.length == 0 ? r.getMessage() : String.format(r.getMessage(), p));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        levels.forEach((name, level) -> {
            Logger l = Logger.getLogger(name);
            l.removeHandler(this);
            l.setLevel(level);
        });
    }
}
