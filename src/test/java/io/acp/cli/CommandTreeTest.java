package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.inject.Inject;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The lazily built command tree: names, which subcommands a command line builds, and which commands need the application. */
class CommandTreeTest {

    @Test
    void everyNameIsItsCommandsOwnName() {
        AcpCommand.COMMANDS.forEach((name, type) -> assertThat(type.getAnnotation(Command.class).name()).as(type.getName()).isEqualTo(name));
    }

    @Test
    void aCommandLineBuildsOnlyTheCommandItNames() {
        assertThat(AcpCommand.commandsFor("status", "--json")).containsExactly(StatusCommand.class);
        assertThat(AcpCommand.commandsFor("--node", "n2", "system", "list")).containsExactly(SystemCommand.class);
        assertThat(AcpCommand.commandsFor("--node=n2", "get", "node")).containsExactly(GetCommand.class);
        assertThat(AcpCommand.commandsFor("node", "run")).containsExactly(NodeCommand.class);
        assertThat(AcpCommand.commandsFor("--version")).isEmpty();
        assertThat(AcpCommand.commandsFor("-V")).isEmpty();
        assertThat(AcpCommand.commandsFor("--version", "status")).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
    }

    @Test
    void helpATypoOrNoCommandBuildsThemAll() {
        assertThat(AcpCommand.commandsFor()).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
        assertThat(AcpCommand.commandsFor("--help")).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
        assertThat(AcpCommand.commandsFor("-h", "status")).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
        assertThat(AcpCommand.commandsFor("statsu")).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
        assertThat(AcpCommand.commandsFor("--node", "n2")).containsExactlyElementsOf(AcpCommand.COMMANDS.values());
    }

    /** A command with an injected bean would fail outside the application: it must say it needs it. */
    @Test
    void everyCommandWithInjectedBeansNeedsTheApplication() {
        CommandLine all = AcpCommand.commandLine(CommandLine.defaultFactory());
        List<Class<?>> injected = new ArrayList<>();
        List<Class<?>> marked = new ArrayList<>();
        collect(all, injected, marked);
        assertThat(injected).isNotEmpty();
        assertThat(marked).containsExactlyInAnyOrderElementsOf(injected);
    }

    private static void collect(CommandLine cli, List<Class<?>> injected, List<Class<?>> marked) {
        Object command = cli.getCommandSpec().userObject();
        if (hasInjectedBean(command.getClass())) {
            injected.add(command.getClass());
        }
        if (command instanceof NeedsApplication) {
            marked.add(command.getClass());
        }
        cli.getSubcommands().values().forEach(sub -> collect(sub, injected, marked));
    }

    /** An {@code @Inject} field other than the connector every client command gets without the application too. */
    private static boolean hasInjectedBean(Class<?> type) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isAnnotationPresent(Inject.class) && !(c == ClientCommand.class && f.getName().equals("connector"))) {
                    return true;
                }
            }
        }
        return false;
    }
}
