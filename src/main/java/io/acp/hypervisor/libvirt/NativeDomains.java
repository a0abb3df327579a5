package io.acp.hypervisor.libvirt;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import io.acp.hypervisor.DomainStatus;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stats sample's reads of running domains on native handles ({@link SampleCalls}), into memory
 * allocated once per sample: the listing, each domain's status, and the interfaces' counters of a
 * handful of domains in one bulk call ({@code virDomainListGetStats}, group "interface": one trip
 * to libvirtd where each domain cost a read of its live XML and one call per interface). A driver
 * that does not report that group (libvirt's test driver) has them read one domain at a time.
 * Not thread-safe: one sample on the hypervisor's thread.
 */
final class NativeDomains {

    /** VIR_CONNECT_LIST_DOMAINS_ACTIVE. */
    private static final int LIST_ACTIVE = 1;
    /** VIR_DOMAIN_STATS_INTERFACE: needs no job on the domain, so a hung VMM's monitor never holds it. */
    private static final int STATS_INTERFACE = 1 << 4;
    /** virTypedParameter: char field[80], int type, then the value's union at 88; 96 bytes. */
    private static final int PARAM_SIZE = 96;
    private static final int PARAM_TYPE = 80;
    private static final int PARAM_VALUE = 88;
    private static final int TYPE_STRING = 7;
    private static final Pattern INTERFACE_TARGET = Pattern.compile("<interface\\b(?:(?!</interface>)[\\s\\S])*?<target dev='([^']+)'");

    private final SampleCalls api;
    /** A virDomainInfo: unsigned char state; unsigned long maxMem, memory; unsigned short nrVirtCpu; unsigned long long cpuTime. */
    private final Memory info = new Memory(40);
    /** A virDomainInterfaceStatsStruct: eight long longs, rx_bytes first, tx_bytes fifth. */
    private final Memory nicStats = new Memory(64);
    private final Memory uuid = new Memory(37);

    NativeDomains(SampleCalls api) {
        this.api = api;
    }

    /** The running domains' handles on connection {@code conn}; the caller frees each ({@link #free}). */
    Pointer[] listRunning(Pointer conn) {
        PointerByReference out = new PointerByReference();
        int n = api.virConnectListAllDomains(conn, out, LIST_ACTIVE);
        if (n < 0) {
            throw NativeCallFailed.of(api, "list the running domains");
        }
        Pointer array = out.getValue();
        if (array == null) {
            return new Pointer[0];
        }
        Pointer[] handles = array.getPointerArray(0, n);
        Native.free(Pointer.nativeValue(array));
        return handles;
    }

    String name(Pointer d) {
        Pointer name = api.virDomainGetName(d);
        if (name == null) {
            throw NativeCallFailed.of(api, "read a listed domain's name");
        }
        return name.getString(0);
    }

    String uuid(Pointer d) {
        if (api.virDomainGetUUIDString(d, uuid) < 0) {
            throw NativeCallFailed.of(api, "read a listed domain's uuid");
        }
        return uuid.getString(0);
    }

    int id(Pointer d) {
        return api.virDomainGetID(d);
    }

    DomainStatus status(Pointer d, String name) {
        if (api.virDomainGetInfo(d, info) < 0) {
            throw NativeCallFailed.of(api, "read domain " + name);
        }
        return new DomainStatus(name, DomainStates.state(info.getByte(0) & 0xff), info.getShort(24) & 0xffff, info.getLong(16), info.getLong(8),
                info.getLong(32));
    }

    /**
     * Received and sent bytes per interface (by its host-side device name) of each of the first
     * {@code n} of {@code handles}, by domain name, in one call; a domain the driver reports no
     * interface group for is left out (read it with {@link #interfacesOf}). Domains gone meanwhile
     * are left out by libvirt.
     */
    Map<String, Map<String, long[]>> interfacesInBulk(Pointer[] handles, int n) {
        Pointer[] list = Arrays.copyOf(handles, n + 1); // null-terminated
        PointerByReference out = new PointerByReference();
        int count = api.virDomainListGetStats(list, STATS_INTERFACE, out, 0);
        if (count < 0) {
            throw NativeCallFailed.of(api, "read the interface counters of " + n + " domains");
        }
        Pointer records = out.getValue();
        try {
            Map<String, Map<String, long[]>> byName = new HashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                // virDomainStatsRecord: virDomainPtr dom; virTypedParameterPtr params; int nparams
                Pointer record = records.getPointer((long) i * Native.POINTER_SIZE);
                Map<String, long[]> nics = interfaces(record.getPointer(8), record.getInt(16));
                if (nics != null) {
                    byName.put(name(record.getPointer(0)), nics);
                }
            }
            return byName;
        } finally {
            if (records != null) {
                api.virDomainStatsRecordListFree(records);
            }
        }
    }

    /** The "net." parameters of one record as rx/tx bytes by device name; null when it has none ("net.count" missing). */
    private static Map<String, long[]> interfaces(Pointer params, int count) {
        String[] names = null;
        long[][] bytes = null;
        for (int i = 0; i < count; i++) {
            Pointer p = params.share((long) i * PARAM_SIZE);
            String field = p.getString(0);
            if (!field.startsWith("net.")) {
                continue;
            }
            if (field.equals("net.count")) {
                int nics = p.getInt(PARAM_VALUE);
                names = new String[nics];
                bytes = new long[nics][2];
                continue;
            }
            // net.<i>.name, net.<i>.rx.bytes, net.<i>.tx.bytes, ... ; libvirt sends net.count first
            int dot = field.indexOf('.', 4);
            if (names == null || dot < 0) {
                continue;
            }
            int index = Integer.parseInt(field, 4, dot, 10);
            if (index >= names.length) {
                continue;
            }
            String what = field.substring(dot + 1);
            switch (what) {
                case "name" -> names[index] = p.getInt(PARAM_TYPE) == TYPE_STRING ? p.getPointer(PARAM_VALUE).getString(0) : null;
                case "rx.bytes" -> bytes[index][0] = p.getLong(PARAM_VALUE);
                case "tx.bytes" -> bytes[index][1] = p.getLong(PARAM_VALUE);
                default -> {
                }
            }
        }
        if (names == null) {
            return null;
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                out.put(names[i], bytes[i]);
            }
        }
        return out;
    }

    /** Received and sent bytes per interface of one domain, one call per interface (its device names read from its live XML). */
    Map<String, long[]> interfacesOf(Pointer d, String name) {
        Pointer xml = api.virDomainGetXMLDesc(d, 0);
        if (xml == null) {
            throw NativeCallFailed.of(api, "read the XML of domain " + name);
        }
        String desc;
        try {
            desc = xml.getString(0);
        } finally {
            Native.free(Pointer.nativeValue(xml));
        }
        Map<String, long[]> out = new LinkedHashMap<>();
        // The host-side device names are chosen by libvirt at start: read them from the live XML.
        Matcher m = INTERFACE_TARGET.matcher(desc);
        while (m.find()) {
            if (api.virDomainInterfaceStats(d, m.group(1), nicStats, nicStats.size()) == 0) {
                out.put(m.group(1), new long[] {nicStats.getLong(0), nicStats.getLong(32)});
            }
            // else not reported for this device type: left out (the error is this thread's until the next call)
        }
        return out;
    }

    void free(Pointer d) {
        if (d != null) {
            api.virDomainFree(d);
        }
    }
}
