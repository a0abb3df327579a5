package io.acp.task;

import java.time.Instant;

/**
 * Which tasks a listing shows; null fields match anything.
 *
 * @param node  tasks that ran on this node
 * @param user  tasks this key name asked for
 * @param since tasks started at or after this instant
 * @param limit at most this many, newest first
 */
public record TaskFilter(String node, String user, Instant since, int limit) {

    /** Most tasks one listing answers. */
    public static final int MAX_LIMIT = 1000;

    public TaskFilter {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit " + limit + " is out of range 1.." + MAX_LIMIT);
        }
    }

    boolean matches(Task t) {
        return (node == null || node.equals(t.node()))
                && (user == null || user.equals(t.user()))
                && (since == null || !t.started().isBefore(since));
    }
}
