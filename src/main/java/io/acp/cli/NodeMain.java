package io.acp.cli;

import io.quarkus.bootstrap.logging.InitialConfigurator;
import io.quarkus.bootstrap.runner.Timing;

/**
 * Entry point of {@code acp node run} when the launcher starts the node from a plain class path
 * (the application's jars named one by one) instead of {@code quarkus-run.jar}. It sets up what
 * Quarkus' runner sets up before the application's {@code main} (JBoss LogManager as the JDK's log
 * manager, Quarkus' fork-join threads, the start-up clock) and then hands over to {@link AcpMain}.
 *
 * <p>Why a second entry point: the runner loads every class through its own class loader, and a
 * class archive (AppCDS on JDK 17, the AOT cache on JDK 25) can only hand a custom loader a class
 * after that loader has read and inflated the class's bytes from its jar again and defined them. On
 * the JDK's own class path the archived classes are used as they are, which takes about a fifth
 * off a node's start (docs/benchmarks.md). Without a trained archive the runner is the faster of
 * the two, so the launcher uses this class only with an archive trained for this class path
 * ({@code train-archive}).
 */
public final class NodeMain {

    private NodeMain() {
    }

    public static void main(String... args) {
        System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        System.setProperty("java.util.concurrent.ForkJoinPool.common.threadFactory",
                "io.quarkus.bootstrap.forkjoin.QuarkusForkJoinWorkerThreadFactory");
        Timing.staticInitStarted(false);
        try {
            AcpMain.main(args);
        } catch (RuntimeException | Error e) {
            // Log records held back until logging was configured would otherwise be lost with the error.
            InitialConfigurator.DELAYED_HANDLER.close();
            throw e;
        }
    }
}
