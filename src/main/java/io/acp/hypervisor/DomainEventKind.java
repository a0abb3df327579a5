package io.acp.hypervisor;

/** The lifecycle events a backend reports, reduced to what changes a system's meta. */
public enum DomainEventKind {
    DEFINED, UNDEFINED, STARTED, PAUSED, RESUMED, STOPPED, CRASHED;

    /** The state a domain is in after this event; {@code null} for DEFINED/UNDEFINED, which leave it. */
    SystemState state() {
        return switch (this) {
            case STARTED, RESUMED -> SystemState.RUNNING;
            case PAUSED -> SystemState.PAUSED;
            case STOPPED -> SystemState.STOPPED;
            case CRASHED -> SystemState.FAILED;
            case DEFINED, UNDEFINED -> null;
        };
    }
}
