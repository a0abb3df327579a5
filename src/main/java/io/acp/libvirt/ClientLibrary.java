package io.acp.libvirt;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Why libvirt's client library ({@code libvirt.so.0}, which libvirt-java loads through JNA) cannot
 * be used in this process, in words an operator can act on.
 *
 * <p>The JVM initialises a class once: after the binding's first load failed, every later use fails
 * with "Could not initialize class org.libvirt.jna.Libvirt", which no longer says why, and nothing
 * short of a new process loads the library again. So the first failure's reason is kept and given
 * for every later one, with the fix (install the library, restart the node), instead of JNA's
 * message, whose last line lists the whole class path, or a hint at libvirtd, which is not at fault.
 */
final class ClientLibrary {

    /** The first load failure's reason in this process; set once, read by every later attempt. */
    private static volatile String firstFailure;

    private ClientLibrary() {
    }

    /** The problem and its fix, for a {@link LinkageError} thrown while the binding was first used. */
    static String unloadable(LinkageError e) {
        String reason = firstFailure;
        if (reason == null) {
            reason = reason(e);
            firstFailure = reason;
        }
        return "its client library libvirt.so.0 cannot be used (" + reason + "); install it, or a newer one if a function is missing"
                + " (Debian and Ubuntu: apt-get install libvirt0), and restart the node: a process loads the library once";
    }

    /**
     * JNA's message, without its first line (the library's name, said above) and without the list
     * of places it searched the class path for a bundled copy (ACP bundles none): the loader's own
     * errors, each once, e.g. "libvirt.so: cannot open shared object file: No such file or directory".
     */
    static String reason(LinkageError e) {
        String message = String.valueOf(e.getMessage());
        String reason = Arrays.stream(message.split("\\R"))
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("Unable to load library") && !line.contains("not found in resource path"))
                .distinct()
                .collect(Collectors.joining("; "));
        if (reason.isEmpty()) {
            reason = e.getClass().getSimpleName() + ": " + message;
        }
        return reason.length() <= 300 ? reason : reason.substring(0, 300) + "…";
    }
}
