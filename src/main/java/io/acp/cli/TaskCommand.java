package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.WatchStream;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp task list|show}: the cluster's task and audit log (service task). */
@Command(name = "task", description = "The task and audit log: who changed what, where, when, how it ended.",
        subcommands = {TaskCommand.ListTasks.class, TaskCommand.Show.class})
class TaskCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp task list'");
    }

    @Command(name = "list", description = "Tasks of every node, newest first (the answering node's view of the cluster).")
    static class ListTasks extends ClientCommand {

        @Option(names = "--on", paramLabel = "NODE",
                description = "Only tasks that ran on node NODE. (The global 'acp --node' only picks the node that answers; every node holds every node's tasks.)")
        String ranOn;

        @Option(names = "--user", paramLabel = "NAME", description = "Only tasks asked for by the API key named NAME.")
        String user;

        @Option(names = "--since", paramLabel = "WHEN", description = "Only tasks started since WHEN: a duration back from now (90s, 15m, 2h, 7d) or an ISO-8601 instant.")
        String since;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N tasks (1..1000, default ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--follow", description = "After the list, print a line for every task that begins, advances or ends (until interrupted).")
        boolean follow;

        @Override
        protected void validate() {
            if (limit < 1 || limit > 1000) {
                throw new ParameterException(spec.commandLine(), "invalid value for option '--limit': " + limit + " (1..1000)");
            }
        }

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = JsonTrees.object().put("limit", limit);
            if (ranOn != null) {
                args.put("node", ranOn);
            }
            if (user != null) {
                args.put("user", user);
            }
            if (since != null) {
                args.put("since", since);
            }
            if (!follow) {
                return print(api.call("task", "list", args), TaskCommand::table);
            }
            ObjectNode filter = JsonTrees.object().put("type", "task");
            filter.putArray("kinds").add("object");
            // Watch first, then list: a task that changes between the two is not missed.
            try (ApiClient events = connector.open(client); WatchStream stream = events.openWatch(null, filter)) {
                print(api.call("task", "list", args), TaskCommand::table);
                for (JsonNode e = stream.next(); e != null; e = stream.next()) {
                    if (e.path("deleted").asBoolean()) {
                        continue; // pruned by retention
                    }
                    JsonNode task = api.call("task", "show", JsonTrees.object().put("id", e.path("id").asText()));
                    if ((ranOn == null || ranOn.equals(task.path("node").asText())) && (user == null || user.equals(task.path("user").asText()))) {
                        print(task, TaskCommand::line);
                    }
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "show", description = "One task: what it did, for whom, on which node, how long it took, how it ended and what it changed.")
    static class Show extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The task's id, as 'acp task list' shows it.")
        String id;

        @Option(names = "--watch", description = "Wait while the task runs, printing it whenever it changes; exits 1 if it failed.")
        boolean watch;

        @Override
        protected int run(ApiClient api) {
            ObjectNode byId = JsonTrees.object().put("id", id);
            if (!watch) {
                return print(api.call("task", "show", byId), TaskCommand::describe);
            }
            ObjectNode filter = JsonTrees.object().put("type", "task").put("id", id);
            filter.putArray("kinds").add("object");
            // Watch first, then read: a task that ends between the two is not missed.
            try (ApiClient events = connector.open(client); WatchStream stream = events.openWatch(null, filter)) {
                JsonNode task = api.call("task", "show", byId);
                print(task, TaskCommand::describe);
                while (!finished(task)) {
                    JsonNode e = stream.next();
                    if (e == null) {
                        break;
                    }
                    task = api.call("task", "show", byId);
                    if (!json()) {
                        out().println();
                    }
                    print(task, TaskCommand::describe);
                }
                return task.path("state").asText().equals("failed") ? ExitCodes.FAILURE : ExitCodes.OK;
            }
        }

        private static boolean finished(JsonNode task) {
            String s = task.path("state").asText();
            return s.equals("ok") || s.equals("failed");
        }
    }

    static void table(JsonNode tasks, PrintWriter out) {
        if (tasks.isEmpty()) {
            out.println("no tasks");
            return;
        }
        Table t = new Table("ID", "STARTED", "OP", "OBJECT", "USER", "NODE", "STATE", "PROGRESS", "DURATION", "ERROR");
        for (JsonNode task : tasks) {
            t.row(task.path("id").asText(), EntryText.instant(task.path("started").asText(null)), task.path("op").asText(),
                    task.path("object").asText("-"), task.path("user").asText() + " (" + task.path("role").asText() + ")", task.path("node").asText(),
                    task.path("state").asText(), progress(task.path("progress")), duration(task), task.path("error").path("code").asText(""));
        }
        t.print(out);
    }

    /** One line of {@code task list --follow}: a task as it begins, advances or ends. */
    static void line(JsonNode task, PrintWriter out) {
        String error = task.has("error") ? "  " + task.path("error").path("code").asText() + ": " + task.path("error").path("message").asText() : "";
        out.println(EntryText.instant(task.path("ended").isTextual() ? task.path("ended").asText() : task.path("started").asText(null)) + "  "
                + task.path("id").asText() + "  " + task.path("op").asText() + " " + task.path("object").asText("-") + "  " + task.path("state").asText()
                + (task.has("progress") ? "  " + progress(task.path("progress")) : "") + (task.has("durationMs") ? "  " + duration(task) : "") + error);
        out.flush();
    }

    /**
     * A task's progress for people: {@code 42 % (1.2 GiB of 2.9 GiB) copying memory}, {@code 3/4
     * steps confirming on node b}, or the phase alone while the total is not known; "-" for none.
     */
    static String progress(JsonNode p) {
        if (!p.isObject()) {
            return "-";
        }
        long done = p.path("done").asLong();
        long total = p.path("total").asLong();
        String unit = p.path("unit").asText();
        String phase = p.path("phase").asText();
        if (total <= 0) {
            return phase;
        }
        String counts = unit.equals("bytes") ? Units.size(done) + " of " + Units.size(total) : done + "/" + total + " " + unit;
        return p.path("percent").asInt() + " % (" + counts + ") " + phase;
    }

    static void describe(JsonNode task, PrintWriter out) {
        Table t = new Table("FIELD", "VALUE");
        t.row("id", task.path("id").asText());
        t.row("op", task.path("op").asText());
        t.row("object", task.path("object").asText("-"));
        t.row("user", task.path("user").asText() + " (" + task.path("role").asText() + ")");
        t.row("origin", task.path("origin").asText());
        t.row("node", task.path("node").asText());
        t.row("state", task.path("state").asText());
        t.row("started", task.path("started").asText());
        t.row("ended", task.path("ended").asText("-"));
        t.row("duration", duration(task));
        if (task.has("progress")) {
            t.row("progress", progress(task.path("progress")));
        }
        if (task.has("error")) {
            t.row("error", task.path("error").path("code").asText() + ": " + task.path("error").path("message").asText());
        }
        for (JsonNode c : task.path("changes")) {
            t.row("changed " + (c.path("path").asText().isEmpty() ? "(whole spec)" : c.path("path").asText()),
                    (c.has("before") ? JsonTrees.text(c.get("before")) : "(none)") + " → " + (c.has("after") ? JsonTrees.text(c.get("after")) : "(none)"));
        }
        t.print(out);
    }

    private static String duration(JsonNode task) {
        if (!task.has("durationMs")) {
            return task.path("state").asText().equals("running") ? "running" : "-";
        }
        long ms = task.path("durationMs").asLong();
        return ms < 1000 ? ms + " ms" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
