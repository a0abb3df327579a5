package io.acp.hypervisor.libvirt;

import io.acp.model.Json;
import java.time.Duration;
import java.util.OptionalInt;
import org.jboss.logging.Logger;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * Commands to a guest's qemu-guest-agent through libvirt ({@code virDomainQemuAgentCommand}), for
 * the file-system freeze and thaw around snapshots. An agent that is absent, not yet started or
 * stopped is an ordinary answer here (empty), not a failure: the snapshot is then crash-consistent.
 * A lost libvirt connection still fails as every other call does.
 */
final class GuestAgent {

    private static final Logger LOG = Logger.getLogger(GuestAgent.class);

    private GuestAgent() {
    }

    /** Runs agent command {@code execute} (no arguments) whose answer is a count: the count, or empty when no agent answered. */
    static OptionalInt command(LibvirtConnection libvirt, String name, String execute, Duration timeout) {
        int seconds = (int) Math.max(1, timeout.toSeconds());
        return libvirt.read("ask the guest agent of domain " + name + " for " + execute, name, OptionalInt.empty(), d -> {
            String answer;
            try {
                answer = d.qemuAgentCommand("{\"execute\":\"" + execute + "\"}", seconds, 0);
            } catch (LibvirtException e) {
                ErrorNumber code = LibvirtConnection.code(e);
                if (code == ErrorNumber.VIR_ERR_SYSTEM_ERROR || code == ErrorNumber.VIR_ERR_RPC) {
                    throw e;
                }
                LOG.debugf("guest agent of %s did not answer %s: %s", name, execute, e.getMessage());
                return OptionalInt.empty();
            }
            try {
                return OptionalInt.of(Json.MAPPER.readTree(answer).path("return").asInt(0));
            } catch (java.io.IOException e) {
                LOG.debugf("guest agent of %s answered %s with something not JSON: %s", name, execute, answer);
                return OptionalInt.empty();
            }
        });
    }
}
