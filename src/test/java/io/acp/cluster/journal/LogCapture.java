package io.acp.cluster.journal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects error messages logged under a logger name (JBoss logging sits on java.util.logging). */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final boolean parentHandlers;

    /** Captures and keeps the messages off the console (damage tests log hundreds of them). */
    LogCapture(String name) {
        this.logger = Logger.getLogger(name);
        this.parentHandlers = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    List<String> errors() {
        return errors;
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            String msg = record.getMessage();
            Object[] params = record.getParameters();
            errors.add(params == null || params.length == 0 ? msg : String.format(msg, params));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(parentHandlers);
    }
}
