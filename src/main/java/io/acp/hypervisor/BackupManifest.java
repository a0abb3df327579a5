package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The manifest of a backup ({@code manifest.json} in its directory, written last: a directory
 * without one is no backup): the system's spec and, per disk, the file, its size and SHA-256.
 *
 * @param kind how the disks were taken
 * @param parent for an incremental backup, the backup (same system, same pool) its files hold the changes since; else null
 * @param checkpoint the libvirt checkpoint the backup was taken at (the next incremental's starting point), or null for a copy
 * @param disks one per disk copied, in the spec's order
 */
record BackupManifest(String backup, String system, String node, String createdAt, Kind kind, String parent, String checkpoint, JsonNode spec,
        List<DiskCopy> disks) {

    static final String FILE = "manifest.json";

    /** How a backup's disk files were made, and so how a restore reads them. */
    enum Kind {
        /** A plain copy of a stopped system's disk files, in the disks' own format. */
        COPY,
        /** A running system's disks in full, through libvirt's push backup: qcow2 files. */
        FULL,
        /** Only the clusters written since the parent's checkpoint: qcow2 files that read through to the parent's. */
        INCREMENTAL;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One disk's copy: {@code file} in the backup's directory, copied from {@code source}. */
    record DiskCopy(String target, String source, String file, String format, long bytes, String sha256) {
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object().put("backup", backup).put("system", system).put("node", node).put("createdAt", createdAt).put("complete", true)
                .put("kind", kind.wireName()).put("parent", parent).put("checkpoint", checkpoint);
        o.set("spec", spec.deepCopy());
        ArrayNode a = o.putArray("disks");
        for (DiskCopy d : disks) {
            a.addObject().put("target", d.target()).put("source", d.source()).put("file", d.file()).put("format", d.format())
                    .put("bytes", d.bytes()).put("sha256", d.sha256());
        }
        return o;
    }

    /** How many bytes a copy goes between two reports of its progress. */
    static final long PROGRESS_STEP = 1 << 20;

    static BackupManifest read(Path dir) throws IOException {
        JsonNode j = Json.MAPPER.readTree(Files.readString(dir.resolve(FILE)));
        List<DiskCopy> disks = new ArrayList<>();
        for (JsonNode d : j.path("disks")) {
            disks.add(new DiskCopy(d.path("target").asText(), d.path("source").asText(), d.path("file").asText(), d.path("format").asText(),
                    d.path("bytes").asLong(), d.path("sha256").asText()));
        }
        Kind kind = Kind.valueOf(j.path("kind").asText("copy").toUpperCase(java.util.Locale.ROOT));
        return new BackupManifest(j.path("backup").asText(), j.path("system").asText(), j.path("node").asText(), j.path("createdAt").asText(),
                kind, j.path("parent").asText(null), j.path("checkpoint").asText(null), j.path("spec"), List.copyOf(disks));
    }

    /** The copy of disk {@code target}, if this backup holds one. */
    java.util.Optional<DiskCopy> disk(String target) {
        return disks.stream().filter(d -> d.target().equals(target)).findFirst();
    }

    /** Copies {@code from} to {@code to} (replacing it); answers the SHA-256 of what was read. */
    static String copy(Path from, Path to) throws IOException {
        return copy(from, to, n -> { });
    }

    /** As {@link #copy(Path, Path)}, telling {@code copied} the bytes copied so far every {@link #PROGRESS_STEP} and at the end. */
    static String copy(Path from, Path to, java.util.function.LongConsumer copied) throws IOException {
        MessageDigest sha = sha256();
        Path partial = to.resolveSibling(to.getFileName() + ".partial");
        try (InputStream in = new DigestInputStream(Files.newInputStream(from), sha); OutputStream out = Files.newOutputStream(partial)) {
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            long told = 0;
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                total += n;
                if (total - told >= PROGRESS_STEP) {
                    copied.accept(total);
                    told = total;
                }
            }
            copied.accept(total);
        }
        Files.move(partial, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The SHA-256 of a file, hex. */
    static String sha256Of(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
