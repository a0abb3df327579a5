package io.acp.hypervisor.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * The libvirt calls of the stats sample, bound here rather than through libvirt-java: libvirt-java
 * does not bind the bulk counters ({@code virDomainListGetStats}, what {@code virsh domstats}
 * calls), and it allocates a JNA structure with a cleaner for every domain info it reads (a node
 * sampling a thousand systems made a few hundred thousand of them a minute for its collector to
 * trace). These take native handles and memory the caller allocates once. The same shared library
 * as libvirt-java's, so one error state per thread ({@link #virGetLastError}).
 *
 * <p>Registered for the native executable in native-config (proxy-config.json, reflect-config.json).
 */
public interface SampleCalls extends Library {

    /** libvirt's, loaded once; {@code Native.load} builds a proxy of this interface. */
    static SampleCalls load() {
        return Native.load("virt", SampleCalls.class);
    }

    /** {@code virConnectListAllDomains}: the domains matching {@code flags}, an array the caller frees (and each handle). */
    int virConnectListAllDomains(Pointer conn, PointerByReference domains, int flags);

    /** {@code virDomainListGetStats}: the {@code stats} groups of the null-terminated {@code domains}, a record list freed by {@link #virDomainStatsRecordListFree}. */
    int virDomainListGetStats(Pointer[] domains, int stats, PointerByReference records, int flags);

    void virDomainStatsRecordListFree(Pointer records);

    /** The domain's name, held by its handle (not to be freed); no call to libvirtd. */
    Pointer virDomainGetName(Pointer domain);

    /** Into {@code uuid}, 37 bytes; no call to libvirtd. */
    int virDomainGetUUIDString(Pointer domain, Pointer uuid);

    /** The domain's id (-1 as unsigned when not running); no call to libvirtd. */
    int virDomainGetID(Pointer domain);

    /** Into {@code info}, a {@code virDomainInfo} of 40 bytes. */
    int virDomainGetInfo(Pointer domain, Pointer info);

    /** The domain's XML, which the caller frees. */
    Pointer virDomainGetXMLDesc(Pointer domain, int flags);

    /** Into {@code stats}, a {@code virDomainInterfaceStatsStruct} of {@code size} (64) bytes. */
    int virDomainInterfaceStats(Pointer domain, String device, Pointer stats, long size);

    int virDomainFree(Pointer domain);

    /** This thread's last libvirt error ({@code virErrorPtr}), or null. */
    Pointer virGetLastError();
}
