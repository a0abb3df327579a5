package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "put", description = "Create or replace an object; prints the stored entry once it is durable.")
class PutCommand extends ClientCommand {

    /** What --if-version takes to mean "only if the object does not exist yet". */
    static final String ABSENT = "none";

    @Mixin
    ObjectRef object;

    @Option(names = "--spec", required = true, paramLabel = "JSON|@FILE", description = "The object's spec: inline JSON, @FILE, or @- for stdin.")
    String spec;

    @Option(names = "--subtype", paramLabel = "S", description = "Subtype, e.g. vlan for network objects.")
    String subtype;

    @Option(names = "--if-version", paramLabel = "V", description = "Only write if the stored version is V ('" + ABSENT + "': only if it does not exist).")
    String ifVersion;

    private ObjectNode parsedSpec;

    @Override
    protected void validate() {
        object.args();
        parsedSpec = Args.spec(spec);
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (subtype != null) {
            args.put("subtype", subtype);
        }
        args.set("spec", parsedSpec);
        if (ABSENT.equals(ifVersion)) {
            args.putNull("ifVersion");
        } else if (ifVersion != null) {
            args.put("ifVersion", ifVersion);
        }
        return print(api.call("cluster", "put", args),
                (stored, out) -> out.println("put " + EntryText.name(stored) + " version " + stored.path("version").asText()));
    }
}
