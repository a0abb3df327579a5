package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "delete", description = "Delete an object (it stays as a tombstone until collected). A system's node removes its domain; "
        + "a system that a node reports running or paused is refused (conflict, rule running-delete) unless --force.")
class DeleteCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Option(names = "--force", description = "Delete a system even if a node reports it running or paused (that node stops it at once, "
            + "as a pulled plug would, or when it comes back).")
    boolean force;

    @Override
    protected void validate() {
        object.args();
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (force) {
            args.put("force", true);
        }
        return print(api.call("cluster", "delete", args),
                (tombstone, out) -> out.println("deleted " + EntryText.name(tombstone) + " version " + tombstone.path("version").asText()));
    }
}
