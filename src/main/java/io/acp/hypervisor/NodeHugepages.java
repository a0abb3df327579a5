package io.acp.hypervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's huge pages, which guests with hugepage-backed memory use, from /proc/meminfo:
 * {@code hugepagesTotal} and {@code hugepagesFree} (pages of the default size) and
 * {@code hugepageSize} (bytes). Published by the hypervisor as stats of {@code service/<node>:hypervisor}.
 */
final class NodeHugepages {

    private NodeHugepages() {
    }

    static Map<String, Double> read(Path meminfo) {
        try {
            return parse(Files.readAllLines(meminfo));
        } catch (IOException e) {
            return Map.of(); // no /proc here: nothing to report
        }
    }

    static Map<String, Double> parse(List<String> lines) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split("\\s+");
            if (parts.length < 2) {
                continue;
            }
            switch (parts[0]) {
                case "HugePages_Total:" -> out.put("hugepagesTotal", Double.parseDouble(parts[1]));
                case "HugePages_Free:" -> out.put("hugepagesFree", Double.parseDouble(parts[1]));
                case "Hugepagesize:" -> out.put("hugepageSize", Double.parseDouble(parts[1]) * (parts.length > 2 && parts[2].equals("kB") ? 1024 : 1));
                default -> {
                }
            }
        }
        return out;
    }
}
