package io.acp.ha;

/** A lease operation's result and the log index it committed at (answers are ordered by it). */
record Committed(long commitIndex, LeaseResult result) {
}
