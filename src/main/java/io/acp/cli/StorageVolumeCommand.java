package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp storage volume create|resize|delete POOL NAME}. */
@Command(name = "volume", description = "Create, grow or delete a volume in a pool on this node.",
        subcommands = {StorageVolumeCommand.Create.class, StorageVolumeCommand.Resize.class, StorageVolumeCommand.Delete.class})
class StorageVolumeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp storage volume create default web1 --size 10G'");
    }

    /** A volume named by pool and name. */
    abstract static class OnVolume extends ClientCommand {

        @Parameters(index = "0", paramLabel = "POOL", description = "The pool's id.")
        String pool;

        @Parameters(index = "1", paramLabel = "NAME", description = "The volume's name (its file or LV name).")
        String name;

        ObjectNode args() {
            return JsonTrees.object().put("pool", pool).put("name", name);
        }

        static void report(JsonNode v, PrintWriter out) {
            out.println("volume " + v.path("name").asText() + " in pool " + v.path("pool").asText() + ": " + StorageCommand.bytes(v.path("capacity"))
                    + " " + v.path("format").asText() + " at " + v.path("path").asText());
        }
    }

    @Command(name = "create", description = "Create a volume (dir pools: a sparse raw file, or qcow2 through qemu-img).")
    static class Create extends OnVolume {

        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "Bytes, or with a suffix: 512M, 10G, 1T (powers of 1024).")
        String size;

        @Option(names = "--format", paramLabel = "FORMAT", description = "raw or qcow2 (dir pools; default the pool's, else qcow2 when qemu-img is installed).")
        String format;

        @Override
        protected int run(ApiClient api) {
            ObjectNode args = args().put("size", size);
            if (format != null) {
                args.put("format", format);
            }
            return print(api.call("storage", "volume.create", args), OnVolume::report);
        }
    }

    @Command(name = "resize", description = "Grow a volume to SIZE (shrinking is refused: it would lose data).")
    static class Resize extends OnVolume {

        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "The new size: bytes, or 512M, 10G, 1T.")
        String size;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "volume.resize", args().put("size", size)), OnVolume::report);
        }
    }

    @Command(name = "delete", description = "Delete a volume and its data.")
    static class Delete extends OnVolume {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("storage", "volume.delete", args()), (r, out) -> out.println("deleted volume " + name + " in pool " + pool));
        }
    }
}
