package io.acp.framework;

import io.acp.node.ManagedService;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Picks the configured services out of those the binary has and groups them into levels: a level
 * holds the services whose dependencies are all in earlier levels, so a level's services can start
 * together once the previous levels run. Within a level the order is by name, so the order is the
 * same on every boot.
 */
final class StartOrder {

    /** The manager itself; listed in configuration by habit, never a bean. */
    static final String FRAMEWORK = "framework";

    private StartOrder() {
    }

    /**
     * @throws AcpException naming the fault if a configured name is unknown, two beans share a
     *                      name, a dependency is not configured, or dependencies form a cycle
     */
    static List<ManagedService> of(Collection<ManagedService> available, List<String> configured) {
        return levels(available, configured).stream().flatMap(List::stream).toList();
    }

    /**
     * The same services as {@link #of}, level by level: level 0 depends on nothing, level n on
     * services of levels below n (at least one of n - 1).
     *
     * @throws AcpException as {@link #of}
     */
    static List<List<ManagedService>> levels(Collection<ManagedService> available, List<String> configured) {
        Map<String, ManagedService> byName = byName(available);
        Map<String, ManagedService> chosen = new TreeMap<>();
        for (String name : new LinkedHashSet<>(configured)) {
            String trimmed = name.trim();
            if (trimmed.isEmpty() || trimmed.equals(FRAMEWORK)) {
                continue;
            }
            ManagedService service = byName.get(trimmed);
            if (service == null) {
                throw configError("acp.node.services names unknown service '" + trimmed + "'; this binary has: " + String.join(", ", byName.keySet()));
            }
            chosen.put(trimmed, service);
        }
        for (ManagedService service : chosen.values()) {
            for (String dependency : new TreeSet<>(service.dependencies())) {
                if (!chosen.containsKey(dependency)) {
                    throw configError("service " + service.name() + " depends on " + dependency + ", which is not in acp.node.services ("
                            + String.join(", ", chosen.keySet()) + ")" + (byName.containsKey(dependency) ? "" : "; this binary has no such service"));
                }
            }
        }
        return sorted(chosen);
    }

    private static Map<String, ManagedService> byName(Collection<ManagedService> available) {
        Map<String, ManagedService> byName = new TreeMap<>();
        for (ManagedService service : available) {
            ManagedService clash = byName.put(service.name(), service);
            if (clash != null) {
                throw configError("two services are named " + service.name() + ": " + clash.getClass().getName() + " and " + service.getClass().getName());
            }
        }
        return byName;
    }

    /** Kahn's algorithm a level at a time; each level is sorted by name. */
    private static List<List<ManagedService>> sorted(Map<String, ManagedService> chosen) {
        Map<String, Set<String>> waitingOn = new TreeMap<>();
        chosen.forEach((name, service) -> waitingOn.put(name, new TreeSet<>(service.dependencies())));
        List<List<ManagedService>> levels = new ArrayList<>();
        while (true) {
            TreeSet<String> ready = new TreeSet<>();
            waitingOn.forEach((name, deps) -> {
                if (deps.isEmpty()) {
                    ready.add(name);
                }
            });
            if (ready.isEmpty()) {
                break;
            }
            ready.forEach(waitingOn::remove);
            waitingOn.values().forEach(deps -> deps.removeAll(ready));
            levels.add(ready.stream().map(chosen::get).toList());
        }
        if (!waitingOn.isEmpty()) {
            throw configError("services depend on each other in a cycle: " + cycle(waitingOn) + "; remove one of these dependencies");
        }
        return levels;
    }

    /** Every service left still waits on another left one, so following the first wait loops. */
    private static String cycle(Map<String, Set<String>> waitingOn) {
        List<String> path = new ArrayList<>();
        String at = waitingOn.keySet().iterator().next();
        while (!path.contains(at)) {
            path.add(at);
            at = waitingOn.get(at).iterator().next();
        }
        List<String> loop = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
        loop.add(at);
        return String.join(" -> ", loop);
    }

    private static AcpException configError(String message) {
        return new AcpException(ErrorCode.INTERNAL, message);
    }
}
