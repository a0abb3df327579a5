package io.acp.storage.pool;

import io.acp.storage.common.Usage;
import java.nio.file.Path;
import java.util.List;

/**
 * One kind of pool on this node. Every method blocks (filesystem, LVM commands) and is called on
 * a probe or command thread, never on the service's or an event-loop thread. Failures are
 * {@link io.acp.protocol.AcpException}s naming the pool and the node.
 */
public interface PoolBackend {

    /** {@code dir}, {@code lvm} or {@code lvm-thin}, as pool meta reports it. */
    String kind();

    /** The pool's path in meta: volumes are at {@code path/<volume>}. */
    Path path();

    /** Makes the pool usable on this node (creates a dir pool's directory; checks a VG exists). */
    void realise();

    Usage usage();

    List<Volume> volumes();

    /** Creates a volume of {@code size} bytes; {@code format} null means the pool's default. */
    Volume create(String name, long size, String format);

    /** Grows a volume to {@code size} bytes (shrinking loses data and is refused). */
    Volume resize(String name, long size);

    void delete(String name);

    /** Undoes {@link #realise} when the pool object is deleted: removes what ACP created, if empty. */
    void forget();
}
