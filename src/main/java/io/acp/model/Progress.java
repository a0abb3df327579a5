package io.acp.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How far a long operation has come, as its task shows it: {@code done} of {@code total} in
 * {@code unit} (bytes, systems, steps), and what it does now ({@code phase}). {@code total} is 0
 * while not known (then only the phase says anything).
 *
 * @param done  units done, 0..total
 * @param total units in all; 0 when not known
 * @param unit  what is counted: {@code bytes}, {@code systems}, {@code steps}
 * @param phase what the operation does now, in words ("copying memory", "moving system web1")
 */
public record Progress(long done, long total, String unit, String phase) {

    public Progress {
        if (done < 0 || total < 0) {
            throw new IllegalArgumentException("progress " + done + "/" + total + " " + unit + ": counts are never negative");
        }
        done = total > 0 ? Math.min(done, total) : done;
    }

    /** Whole percent done, 0..100; -1 when the total is not known. */
    public int percent() {
        return total <= 0 ? -1 : (int) Math.min(100, done * 100 / total);
    }

    /** Another phase, the same counts. */
    public Progress at(String newPhase) {
        return new Progress(done, total, unit, newPhase);
    }

    /** The wire form, field {@code progress} of a task. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object().put("done", done).put("total", total).put("unit", unit).put("phase", phase);
        if (percent() >= 0) {
            o.put("percent", percent());
        }
        return o;
    }

    /** Reads the wire form; null if {@code o} is not an object. */
    public static Progress fromJson(JsonNode o) {
        if (o == null || !o.isObject()) {
            return null;
        }
        return new Progress(Math.max(0, o.path("done").asLong()), Math.max(0, o.path("total").asLong()), o.path("unit").asText(""),
                o.path("phase").asText(""));
    }

    /**
     * Where a service reports how far an operation has come; the API's task log installs one and
     * finds the running task of {@code op} on {@code object} on this node. Never blocks (called
     * from libvirt pollers and copy loops).
     */
    @FunctionalInterface
    public interface Sink {
        /** Ignores every report: no task log is installed. */
        Sink NONE = (op, object, progress) -> { };

        /**
         * @param op       the task's operation, {@code service.op} ({@code hypervisor.migrate})
         * @param object   the task's object ({@code system/web1})
         * @param progress how far it has come
         */
        void report(String op, String object, Progress progress);
    }
}
