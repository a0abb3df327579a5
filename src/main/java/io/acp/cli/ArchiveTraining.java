package io.acp.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Helps {@code train-archive} put every class a node loads into the class archive. The JDK 17
 * dynamic archive ({@code -XX:ArchiveClassesAtExit}) leaves out each class that was loaded but never
 * linked ("Skipping …: Not linked" in {@code -Xlog:cds}): about a thousand of a node's classes, which
 * Quarkus' class loader loaded to verify others or to read their annotations, and which every start
 * then parsed and verified again from the jars. In the training run only ({@link #PROPERTY} names the
 * {@code -Xlog:class+load} file the JVM writes), a shutdown hook links every class read from a jar
 * before the JVM writes the archive, which it does after the hooks have run. A native executable has
 * no class archive and is never trained, so it never reads classes by name here.
 */
final class ArchiveTraining {

    /** System property: the training run's class-load log; unset in every other run. */
    static final String PROPERTY = "acp.train.class-load-log";

    /** A line of {@code -Xlog:class+load}: "[…] name source: file:/…/x.jar" (or jar:, from a jar). */
    private static final Pattern LOADED_FROM_JAR = Pattern.compile("\\] (\\S+) source: (?:file|jar):\\S+\\.jar");

    private ArchiveTraining() {
    }

    /** Installs the hook when this JVM is the training run. */
    static void installIfTraining() {
        String log = System.getProperty(PROPERTY);
        if (log == null || log.isBlank()) {
            return;
        }
        ClassLoader loader = ArchiveTraining.class.getClassLoader();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                int linked = linkLoaded(Path.of(log), loader);
                System.err.println("acp: archive training: linked " + linked + " classes loaded from jars");
            } catch (IOException e) {
                System.err.println("acp: archive training: cannot read " + log + ": " + e.getMessage());
            }
        }, "acp-archive-training"));
    }

    /** Links each class the log names as loaded from a jar; returns how many this loader linked. */
    static int linkLoaded(Path log, ClassLoader loader) throws IOException {
        List<String> lines = Files.readAllLines(log);
        int linked = 0;
        for (String line : lines) {
            Matcher m = LOADED_FROM_JAR.matcher(line);
            if (m.find() && link(m.group(1), loader)) {
                linked++;
            }
        }
        return linked;
    }

    /**
     * Loads the class without initializing it and links it: the JVM links a class before it lists
     * its declared fields (verification included), and runs none of its code.
     */
    private static boolean link(String name, ClassLoader loader) {
        try {
            Class.forName(name, false, loader).getDeclaredFields();
            return true;
        } catch (Throwable e) {
            // A class this loader cannot see, or one whose optional dependency is absent: it stays
            // out of the archive, as it was.
            return false;
        }
    }
}
