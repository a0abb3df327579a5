package io.acp.cli;

import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "delete", description = "Delete an object (it stays as a tombstone until collected).")
class DeleteCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Override
    protected void validate() {
        object.args();
    }

    @Override
    protected int run(ApiClient api) {
        return print(api.call("cluster", "delete", object.args()),
                (tombstone, out) -> out.println("deleted " + EntryText.name(tombstone) + " version " + tombstone.path("version").asText()));
    }
}
