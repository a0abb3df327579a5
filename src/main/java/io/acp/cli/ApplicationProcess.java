package io.acp.cli;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command that needs the node's application ({@link NeedsApplication}) from a client call on
 * the plain class path ({@link ClientMain}): as a child JVM on {@code quarkus-run.jar} of the same
 * application tree, with this JVM's options but its class archive (made for the client's class
 * path, which the JVM would refuse with a warning), and the same standard streams. Such commands
 * (cluster init, add-node, join …) are rare and slow anyway; every other call stays on the client's
 * class path.
 */
final class ApplicationProcess {

    /** The class-archive options: each names an archive made for one class path. */
    private static final List<String> ARCHIVE_OPTIONS = List.of("-XX:SharedArchiveFile=", "-XX:AOTCache=", "-Xshare:");

    private ApplicationProcess() {
    }

    /** The command's exit code, or {@link ExitCodes#FAILURE} with one error line if it could not start. */
    static int run(String... args) {
        Path runner;
        try {
            runner = runnerJar();
        } catch (IllegalStateException e) {
            System.err.println("acp: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (ARCHIVE_OPTIONS.stream().noneMatch(option::startsWith)) {
                command.add(option);
            }
        }
        command.add("-jar");
        command.add(runner.toString());
        command.addAll(List.of(args));
        try {
            Process child = new ProcessBuilder(command).inheritIO().start();
            // A SIGTERM or SIGINT to this JVM ends the command too, not only its parent.
            Runtime.getRuntime().addShutdownHook(new Thread(child::destroy));
            return child.waitFor();
        } catch (java.io.IOException e) {
            System.err.println("acp: cannot start " + runner + " for '" + String.join(" ", args) + "': " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }

    /**
     * {@code quarkus-run.jar} of the application tree this class was loaded from: the client runs
     * the tree's {@code app/acp-….jar}, the runner is beside {@code app/}.
     */
    static Path runnerJar() {
        Path appJar;
        try {
            appJar = Path.of(ApplicationProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the application is (" + e + ")", e);
        }
        Path runner = appJar.getParent() == null || appJar.getParent().getParent() == null ? null
                : appJar.getParent().getParent().resolve("quarkus-run.jar");
        if (runner == null || !Files.isRegularFile(runner)) {
            throw new IllegalStateException("this command needs the node's application, and there is no quarkus-run.jar beside "
                    + appJar.getParent() + " (run acp from the installed application tree)");
        }
        return runner;
    }
}
