package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp storage pool create|delete}. */
@Command(name = "pool", description = "Create or delete a storage pool.",
        subcommands = {StoragePoolCommand.Create.class, StoragePoolCommand.Delete.class})
class StoragePoolCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp storage pool create images --kind dir'");
    }

    @Command(name = "create", description = "Store a pool and realise it on this node (a dir pool's directory is created); repeating it changes nothing.")
    static class Create extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The pool's id.")
        String id;

        @Option(names = "--spec", paramLabel = "JSON|@FILE", description = "The whole spec: inline JSON, @FILE, or @- for stdin.")
        String specText;

        @Option(names = "--kind", paramLabel = "KIND", description = "dir, lvm, lvm-thin or libvirt.")
        String kind;

        @Option(names = "--path", paramLabel = "DIR", description = "dir: the directory (inside acp.storage.allowed-roots); default <data-dir>/pools/ID.")
        String path;

        @Option(names = "--share", paramLabel = "SHARE", description = "dir: put the pool on this share.")
        String share;

        @Option(names = "--subdir", paramLabel = "DIR", description = "dir on a share: a directory inside the share.")
        String subdir;

        @Option(names = "--vg", paramLabel = "VG", description = "lvm, lvm-thin: the volume group.")
        String vg;

        @Option(names = "--thin-pool", paramLabel = "LV", description = "lvm-thin: the thin pool in the volume group.")
        String thinPool;

        @Option(names = "--name", paramLabel = "NAME", description = "libvirt: the libvirt pool's name (default: ID).")
        String name;

        @Option(names = "--format", paramLabel = "FORMAT", description = "dir: raw or qcow2, the volumes' default format.")
        String format;

        @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "Nodes that have the pool (default: every node).")
        List<String> nodes;

        private ObjectNode built;

        @Override
        protected void validate() {
            if (specText == null && kind == null) {
                throw new ParameterException(spec.commandLine(), "give --kind (dir, lvm, lvm-thin or libvirt) or --spec");
            }
            built = specText == null ? JsonTrees.object() : Args.spec(specText);
            put("kind", kind);
            put("path", path);
            put("share", share);
            put("subdir", subdir);
            put("vg", vg);
            put("thinPool", thinPool);
            put("name", name);
            put("format", format);
            if (nodes != null) {
                nodes.forEach(built.putArray("nodes")::add);
            }
        }

        private void put(String field, String value) {
            if (value != null) {
                built.put(field, value);
            }
        }

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = JsonTrees.object().put("id", id);
            args.set("spec", built);
            return print(api.call("storage", "pool.create", args), (r, out) -> out.println("pool " + id + ": "
                    + r.path("meta").path("state").asText("stored") + " at " + r.path("meta").path("path").asText("?")
                    + " (" + StorageCommand.bytes(r.path("stats").path("free")) + " free)"));
        }
    }

    @Command(name = "delete", description = "Delete a pool that has no volumes (ACP's own directory of a dir pool goes with it).")
    static class Delete extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The pool's id.")
        String id;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "pool.delete", JsonTrees.object().put("id", id)), (r, out) -> out.println("deleted pool " + id));
        }
    }
}
