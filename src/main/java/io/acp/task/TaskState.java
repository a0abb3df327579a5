package io.acp.task;

import java.util.Locale;

/**
 * Where a task is. Transitions: RUNNING → OK or FAILED, once; a task still RUNNING when its node
 * restarts becomes FAILED ("interrupted"), since nothing carries the work on.
 */
public enum TaskState {
    RUNNING,
    OK,
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this != RUNNING;
    }

    /** Parses a wire name; IllegalArgumentException naming the valid ones. */
    public static TaskState parse(String name) {
        for (TaskState s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown task state '" + name + "'; expected running, ok or failed");
    }
}
