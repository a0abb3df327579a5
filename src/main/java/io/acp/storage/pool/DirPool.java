package io.acp.storage.pool;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.CommandRunner;
import io.acp.storage.common.Sizes;
import io.acp.storage.common.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A directory of image files: raw files are sparse (nothing is written at create), qcow2 files are
 * made by {@code qemu-img}. ACP does not overcommit a dir pool: a volume's full size must fit in
 * the free space when it is created or grown.
 */
final class DirPool implements PoolBackend {

    private static final byte[] QCOW2_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    private final String id;
    private final String nodeId;
    private final Path dir;
    private final boolean ownsDir;
    private final String defaultFormat;
    private final CommandRunner commands;

    /**
     * @param ownsDir true when ACP chose the directory (under the data dir): it may remove it on delete
     * @param defaultFormat the pool's format, or null: qcow2 if qemu-img is installed, else raw
     */
    DirPool(String id, String nodeId, Path dir, boolean ownsDir, String defaultFormat, CommandRunner commands) {
        this.id = id;
        this.nodeId = nodeId;
        this.dir = dir;
        this.ownsDir = ownsDir;
        this.defaultFormat = defaultFormat;
        this.commands = commands;
    }

    @Override
    public String kind() {
        return "dir";
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public void realise() {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AcpException(ErrorCode.INTERNAL, "pool " + id + " on node " + nodeId + ": cannot create directory " + dir + ": " + e);
        }
    }

    @Override
    public Usage usage() {
        if (!Files.isDirectory(dir)) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + " on node " + nodeId + ": directory " + dir + " does not exist");
        }
        try {
            return Usage.ofFileStore(dir);
        } catch (IOException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + " on node " + nodeId + ": statvfs of " + dir + " failed: " + e.getMessage());
        }
    }

    @Override
    public List<Volume> volumes() {
        List<Volume> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && LvmNames.valid(name) && !name.startsWith(".")) {
                    out.add(volume(f));
                }
            }
        } catch (IOException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + " on node " + nodeId + ": cannot list " + dir + ": " + e.getMessage());
        }
        return out;
    }

    @Override
    public Volume create(String name, long size, String format) {
        String fmt = format != null ? format : defaultFormat != null ? defaultFormat : (QemuImg.installed() ? "qcow2" : "raw");
        Path file = file(name);
        if (Files.exists(file)) {
            throw exists(name);
        }
        requireRoom(size, "volume " + name);
        if (fmt.equals("qcow2")) {
            if (!QemuImg.installed()) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "format qcow2 needs qemu-img, which is not installed on node " + nodeId + "; use raw");
            }
            commands.run(List.of(QemuImg.PATH, "create", "-q", "-f", "qcow2", file.toString(), Long.toString(size)));
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.position(size - 1);
                ch.write(ByteBuffer.wrap(new byte[1])); // one byte at the end: a sparse file of the full size
            } catch (FileAlreadyExistsException e) {
                throw exists(name);
            } catch (IOException e) {
                deleteQuietly(file);
                throw failure("cannot create " + file, e);
            }
        }
        return volume(file);
    }

    @Override
    public Volume resize(String name, long size) {
        Path file = existing(name);
        Volume v = volume(file);
        if (size < v.capacity()) {
            throw AcpException.badRequest("volume " + name + " in pool " + id + " is " + Sizes.human(v.capacity())
                    + "; shrinking to " + Sizes.human(size) + " would lose data and is refused");
        }
        if (size == v.capacity()) {
            return v;
        }
        requireRoom(size - v.capacity(), "growing volume " + name);
        if (v.format().equals("qcow2")) {
            commands.run(List.of(QemuImg.PATH, "resize", "-q", "-f", "qcow2", file.toString(), Long.toString(size)));
        } else {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.position(size - 1);
                ch.write(ByteBuffer.wrap(new byte[1]));
            } catch (IOException e) {
                throw failure("cannot grow " + file, e);
            }
        }
        return volume(file);
    }

    @Override
    public void delete(String name) {
        Path file = existing(name);
        try {
            Files.delete(file);
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (IOException e) {
            throw failure("cannot delete " + file, e);
        }
    }

    @Override
    public void forget() {
        if (ownsDir) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                // files that are not volumes (hidden ones) stay, and so does the directory
            } catch (IOException e) {
                throw failure("cannot remove " + dir, e);
            }
        }
    }

    private void requireRoom(long bytes, String what) {
        Usage u = usage();
        if (bytes > u.free()) {
            throw new AcpException(ErrorCode.CONFLICT, "out of space: pool " + id + " on node " + nodeId + " has " + Sizes.human(u.free())
                    + " free, " + what + " needs " + Sizes.human(bytes));
        }
    }

    private Volume volume(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(32);
            boolean qcow2 = head.length == 32 && java.util.Arrays.equals(head, 0, 4, QCOW2_MAGIC, 0, 4);
            long capacity = qcow2 ? ByteBuffer.wrap(head, 24, 8).getLong() : Files.size(file);
            return new Volume(id, file.getFileName().toString(), file, qcow2 ? "qcow2" : "raw", capacity);
        } catch (IOException e) {
            throw failure("cannot read " + file, e);
        }
    }

    private Path file(String name) {
        if (!LvmNames.valid(name) || name.startsWith(".")) {
            throw AcpException.badRequest("volume name must be 1..128 letters, digits, + _ . - (not starting with . or -), got '" + name + "'");
        }
        return dir.resolve(name);
    }

    private Path existing(String name) {
        Path file = file(name);
        if (!Files.isRegularFile(file)) {
            throw notFound(name);
        }
        return file;
    }

    private AcpException exists(String name) {
        return new AcpException(ErrorCode.CONFLICT, "volume " + name + " exists in pool " + id + " on node " + nodeId);
    }

    private AcpException notFound(String name) {
        return AcpException.notFound("volume " + name + " in pool " + id + " on node " + nodeId);
    }

    private AcpException failure(String what, IOException e) {
        return new AcpException(ErrorCode.INTERNAL, "pool " + id + " on node " + nodeId + ": " + what + ": " + e.getMessage());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort after a failed create
        }
    }
}
