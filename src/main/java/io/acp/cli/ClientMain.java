package io.acp.cli;

import java.util.OptionalInt;

/**
 * Entry point of a client call ({@code acp status}, {@code get}, {@code watch} …) on a plain class
 * path: the launcher runs it from {@code acp-client.jar}, whose manifest names the few jars a client
 * needs (the application's classes, picocli, Jackson, Bouncy Castle), instead of
 * {@code quarkus-run.jar}. So a call opens no Quarkus class loader, loads no Quarkus class, and a
 * static class archive (AppCDS, trained by {@code train-archive}) can hold all of it.
 *
 * <p>The few commands that need the node's application ({@link NeedsApplication}, e.g.
 * {@code cluster init}) cannot run here; {@link ApplicationProcess} runs them in the application.
 * {@code acp node run} never comes here: the launcher starts the node from {@code quarkus-run.jar}.
 */
public final class ClientMain {

    private ClientMain() {
    }

    public static void main(String... args) {
        OptionalInt answered = ClientLauncher.run(args);
        System.exit(answered.isPresent() ? answered.getAsInt() : ApplicationProcess.run(args));
    }
}
