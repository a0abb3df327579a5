package io.acp.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * VPP through its CLI, {@code vppctl}: the backend of vpp-vlan networks. vppctl exits 0 even when
 * VPP refuses a command, so every answer is checked for VPP's error forms.
 */
public final class VppCtl {

    /** One row of {@code show interface}: its counters by VPP's names ("rx packets", "drops"...). */
    public record VppInterface(String name, int index, boolean up, Map<String, Long> counters) {

        public Counters toCounters() {
            return new Counters(c("rx bytes"), c("tx bytes"), c("rx packets"), c("tx packets"), c("rx-error"),
                    c("tx-error"), c("drops") + c("rx-miss"), 0);
        }

        private long c(String name) {
            return counters.getOrDefault(name, 0L);
        }
    }

    private final Commands commands;
    private final String vppctl;

    public VppCtl(Commands commands, String vppctl) {
        this.commands = commands;
        this.vppctl = vppctl;
    }

    public List<VppInterface> interfaces() {
        return parseShowInterface(run("show", "interface"));
    }

    /** Creates sub-interface {@code <parent>.<vid>} (dot1q, exact match); answers its name. */
    public String createSubInterface(String parent, int vid) {
        String out = run("create", "sub-interfaces", parent, Integer.toString(vid)).strip();
        String expected = subInterface(parent, vid);
        if (!out.equals(expected)) {
            throw new IllegalStateException("VPP did not create " + expected + ": " + out);
        }
        return out;
    }

    public void setUp(String name) {
        requireQuiet(name, run("set", "interface", "state", name, "up"));
    }

    public void deleteSubInterface(String name) {
        requireQuiet(name, run("delete", "sub-interface", name));
    }

    public static String subInterface(String parent, int vid) {
        return parent + "." + vid;
    }

    private String run(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(vppctl);
        argv.addAll(List.of(args));
        return commands.exec(argv);
    }

    /** Commands that change state print nothing when they work, and VPP's complaint when not. */
    private static void requireQuiet(String name, String out) {
        if (!out.isBlank()) {
            throw new IllegalStateException("VPP refused the change of " + name + ": " + out.strip());
        }
    }

    /**
     * Parses {@code show interface}: a header line, then per interface a line starting at column
     * 0 ({@code name idx state mtu [counter count]}) followed by indented {@code counter count} lines.
     */
    static List<VppInterface> parseShowInterface(String out) {
        List<VppInterface> result = new ArrayList<>();
        String name = null;
        int index = 0;
        boolean up = false;
        Map<String, Long> counters = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.isBlank() || line.strip().startsWith("Name ")) {
                continue;
            }
            String[] f = line.strip().split("\\s+");
            if (!Character.isWhitespace(line.charAt(0))) {
                if (name != null) {
                    result.add(new VppInterface(name, index, up, counters));
                }
                if (f.length < 4) {
                    throw new IllegalStateException("vppctl show interface: cannot read line '" + line + "'");
                }
                name = f[0];
                index = Integer.parseInt(f[1]);
                up = f[2].equals("up");
                counters = new LinkedHashMap<>();
                counter(counters, f, 4);
            } else if (name != null) {
                counter(counters, f, 0);
            }
        }
        if (name != null) {
            result.add(new VppInterface(name, index, up, counters));
        }
        return result;
    }

    /** Reads "rx packets 5" from f[from..]: the last field is the count, the rest the counter's name. */
    private static void counter(Map<String, Long> counters, String[] f, int from) {
        if (f.length - from < 2) {
            return;
        }
        try {
            long count = Long.parseLong(f[f.length - 1]);
            counters.put(String.join(" ", java.util.Arrays.copyOfRange(f, from, f.length - 1)), count);
        } catch (NumberFormatException notACounter) {
            // a continuation line without a count: nothing to record
        }
    }
}
