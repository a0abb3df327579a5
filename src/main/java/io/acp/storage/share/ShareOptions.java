package io.acp.storage.share;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Which mount options a share may carry. Each protocol has an allow-list of options that only
 * change how the network filesystem is spoken to; anything that reaches the host ({@code bind}
 * mounts a local directory whatever the type says, {@code remount} changes an existing mount,
 * {@code suid}/{@code dev}/{@code exec} trust what the server hands out) is privileged: an admin may
 * use it, and only if the node lists it in {@code acp.storage.privileged-share-options}. A share is
 * always mounted {@code nosuid,nodev,noexec} unless its (admin-written, node-allowed) options say
 * otherwise.
 */
public final class ShareOptions {

    /** Options that reach the host; never in an allow-list. */
    public static final Set<String> PRIVILEGED = Set.of("bind", "rbind", "remount", "move", "suid", "dev", "exec", "defaults", "users",
            "owner", "group", "helper", "x-mount.mkdir", "setuids");

    private static final Set<String> COMMON = Set.of("ro", "rw", "noatime", "relatime", "nodiratime", "strictatime", "nosuid", "nodev", "noexec",
            "nofail", "_netdev", "sync", "async", "hard", "soft", "rsize", "wsize", "actimeo", "port", "vers");

    private static final Set<String> NFS = Set.of("nfsvers", "proto", "timeo", "retrans", "retry", "sec", "intr", "nointr", "ac", "noac",
            "acregmin", "acregmax", "acdirmin", "acdirmax", "lookupcache", "lock", "nolock", "local_lock", "nconnect", "fsc", "nofsc",
            "mountport", "mountproto", "mountvers", "clientaddr", "resvport", "noresvport", "bg", "fg", "namlen", "cto", "nocto", "sharecache",
            "nosharecache", "max_connect", "xprtsec");

    private static final Set<String> SMB = Set.of("username", "user_xattr", "domain", "dom", "workgroup", "credentials", "cred", "sec", "uid", "gid",
            "forceuid", "forcegid", "noforceuid", "noforcegid", "file_mode", "dir_mode", "iocharset", "cache", "seal", "noperm", "perm", "nounix",
            "unix", "serverino", "noserverino", "mfsymlinks", "echo_interval", "nobrl", "brl", "nosetuids", "noacl", "acl", "multichannel",
            "max_channels", "handletimeout", "nocase", "ignorecase", "nosharesock", "guest", "sfu", "nomapposix", "mapposix", "mapchars",
            "nomapchars", "closetimeo", "snapshot", "resilienthandles", "persistenthandles");

    /** Where a credentials file named by an SMB share must lie (root-owned configuration). */
    static final String CREDENTIALS_DIR = "/etc/acp";

    private ShareOptions() {
    }

    /** The option names in {@code options} ({@code a,b=c} → a, b), lower-cased. */
    public static List<String> names(String options) {
        List<String> out = new ArrayList<>();
        if (options == null) {
            return out;
        }
        for (String o : options.split(",")) {
            int eq = o.indexOf('=');
            out.add((eq < 0 ? o : o.substring(0, eq)).toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }

    /** The privileged options among {@code options}. */
    public static List<String> privileged(String options) {
        return names(options).stream().filter(PRIVILEGED::contains).distinct().toList();
    }

    /** Null if {@code name} may appear in a share of {@code protocol} at all (privileged ones included), else why not. */
    static String unknown(String protocol, String name) {
        if (COMMON.contains(name) || PRIVILEGED.contains(name) || (protocol.equals("nfs") ? NFS : SMB).contains(name)) {
            return null;
        }
        return "option '" + name + "' is not on the " + protocol + " allow-list (rule share-options)";
    }

    /**
     * The options mount(8) gets: the spec's, then {@code nosuid,nodev,noexec} for each of suid,
     * dev, exec the spec does not turn on (later options win).
     */
    static String effective(String options, Collection<String> names) {
        StringBuilder b = new StringBuilder(options == null ? "" : options);
        for (String o : List.of("suid", "dev", "exec")) {
            if (!names.contains(o) && !names.contains("defaults")) {
                b.append(b.length() == 0 ? "" : ",").append("no").append(o);
            }
        }
        return b.toString();
    }
}
