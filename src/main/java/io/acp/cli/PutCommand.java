package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "put", description = "Create or replace an object; prints the stored entry once it is durable.")
class PutCommand extends ClientCommand {

    /** What --if-version takes to mean "only if the object does not exist yet". */
    static final String ABSENT = "none";

    @Parameters(index = "0", paramLabel = "TYPE")
    String type;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Option(names = "--spec", required = true, paramLabel = "JSON|@FILE", description = "The object's spec: inline JSON, @FILE, or @- for stdin.")
    String spec;

    @Option(names = "--subtype", paramLabel = "S", description = "Subtype, e.g. vlan for network objects.")
    String subtype;

    @Option(names = "--if-version", paramLabel = "V", description = "Only write if the stored version is V ('" + ABSENT + "': only if it does not exist).")
    String ifVersion;

    private ObjectNode parsedSpec;

    @Override
    protected void validate() {
        type = Args.type(type);
        parsedSpec = Args.spec(spec);
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = Args.key(type, id);
        if (subtype != null) {
            args.put("subtype", subtype);
        }
        args.set("spec", parsedSpec);
        if (ABSENT.equals(ifVersion)) {
            args.putNull("ifVersion");
        } else if (ifVersion != null) {
            args.put("ifVersion", ifVersion);
        }
        JsonNode stored = api.call("cluster", "put", args);
        if (json()) {
            printJson(stored);
        } else {
            out().println("put " + EntryText.name(stored) + " version " + stored.path("version").asText());
            out().flush();
        }
        return ExitCodes.OK;
    }
}
