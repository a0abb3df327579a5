package io.acp.hypervisor.libvirt;

import com.sun.jna.Pointer;
import org.libvirt.Error.ErrorNumber;

/** A libvirt call made through {@link SampleCalls} failed; libvirt's error number and message as libvirt-java would report them. */
final class NativeCallFailed extends RuntimeException {

    private final ErrorNumber code;

    private NativeCallFailed(String message, ErrorNumber code) {
        super(message);
        this.code = code;
    }

    /** The failure of {@code what}, from this thread's last libvirt error (read at once: the next call replaces it). */
    static NativeCallFailed of(SampleCalls api, String what) {
        Pointer error = api.virGetLastError();
        if (error == null) {
            return new NativeCallFailed(what + ": libvirt reported no error", null);
        }
        // virError: int code, int domain, char *message, ...
        int number = error.getInt(0);
        Pointer message = error.getPointer(8);
        ErrorNumber[] numbers = ErrorNumber.values(); // libvirt-java's numbering is libvirt's, in order
        return new NativeCallFailed(what + ": " + (message == null ? "error " + number : message.getString(0)),
                number >= 0 && number < numbers.length ? numbers[number] : null);
    }

    /** libvirt's error number, or null when it gave none this binding knows. */
    ErrorNumber code() {
        return code;
    }

    boolean noDomain() {
        return code == ErrorNumber.VIR_ERR_NO_DOMAIN;
    }
}
