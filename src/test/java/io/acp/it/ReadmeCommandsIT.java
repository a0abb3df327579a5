package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's promise to a newcomer: every command in its {@code sh} blocks works exactly as
 * written against the node {@code scripts/dev} starts, and that node prints what the README says
 * it prints. {@code scripts/dev} itself runs with {@code --no-build} (the suite runs after the
 * build) and under a name and ports of its own, so a developer's dev1 on this machine is never
 * touched; {@code scripts/acp} finds the node on its own, as it does for the newcomer.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReadmeCommandsIT {

    private static final Path README = Path.of("README.md");
    /** The README's commands this test does not run as written, and why. */
    private static final Map<String, String> NOT_RUN_AS_WRITTEN = Map.of(
            "scripts/dev", "started by this test with --no-build: the suite runs after the build",
            "scripts/test", "the suite this test is part of");

    @TempDir
    Path dir;

    @Test
    void everyCommandTheReadmeShowsWorksAsWritten() throws Exception {
        List<String> commands = shellCommands(Files.readAllLines(README, StandardCharsets.UTF_8));
        List<String> cli = commands.stream().filter(c -> c.startsWith("scripts/acp ")).toList();
        assertThat(cli).as("the README's CLI commands").hasSizeGreaterThanOrEqualTo(3);
        for (String c : commands) {
            if (!c.startsWith("scripts/acp ") && !NOT_RUN_AS_WRITTEN.containsKey(c)) {
                fail("the README shows '" + c + "', which this test neither runs nor knows why not; run it here or say why");
            }
        }
        assertThat(commands).as("the README's two commands").contains("scripts/dev", "scripts/test");

        String name = DevCheckout.uniqueName("rd");
        int base = DevCheckout.freePortBase();
        try (DevCheckout checkout = DevCheckout.in(dir); DevNode node = DevNode.start(checkout, name, base)) {
            // What the README says scripts/dev prints, for this node's name and ports.
            List<String> printed = node.output();
            for (String promised : printedLines()) {
                String expected = promised.replace("dev1", name).replace("7480", Integer.toString(base + 3))
                        .replace("7440", Integer.toString(base)).replace("<this directory>", checkout.root().toString());
                String prefix = expected.contains("...") ? expected.substring(0, expected.indexOf("...")) : expected;
                assertThat(printed).as("scripts/dev printed what the README shows: %s", expected).anyMatch(l -> l.startsWith(prefix));
            }
            assertThat(checkout.root().resolve(".acp-dev/" + name + "/data/admin.key")).as("the admin key where the README says").isNotEmptyFile();

            for (String c : cli) {
                AcpApp.CliResult r = checkout.shell(c, Map.of(), 60);
                assertThat(r.exitCode()).as("'%s' exits 0: %s", c, r).isZero();
            }
            assertThat(node.stop()).as("scripts/dev after Ctrl-C").isEqualTo(130);
        }
    }

    /** A fenced block of the README: its info string ("sh", or "" for plain text) and its lines. */
    record Block(String lang, List<String> lines) {
    }

    static List<Block> blocks(List<String> readme) {
        List<Block> blocks = new ArrayList<>();
        List<String> current = null;
        String lang = null;
        for (String line : readme) {
            if (line.startsWith("```")) {
                if (current == null) {
                    lang = line.substring(3).trim();
                    current = new ArrayList<>();
                } else {
                    blocks.add(new Block(lang, current));
                    current = null;
                }
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    /** The commands of the {@code sh} blocks of a Markdown file. */
    static List<String> shellCommands(List<String> markdown) {
        List<String> commands = new ArrayList<>();
        for (Block b : blocks(markdown)) {
            if (b.lang().equals("sh")) {
                commands.addAll(commands(b.lines()));
            }
        }
        return commands;
    }

    /** The commands of one block's lines: no comment lines, no blank lines, trailing comments cut off. */
    static List<String> commands(List<String> blockLines) {
        List<String> commands = new ArrayList<>();
        for (String line : blockLines) {
            String command = line.replaceFirst("\\s+#.*$", "").trim();
            if (!command.isEmpty() && !command.startsWith("#")) {
                commands.add(command);
            }
        }
        return commands;
    }

    /** The README's first plain block: the lines scripts/dev prints ("..." stands for what varies or is left out). */
    private static List<String> printedLines() throws IOException {
        Block shown = blocks(Files.readAllLines(README, StandardCharsets.UTF_8)).stream()
                .filter(b -> b.lang().isEmpty())
                .findFirst()
                .orElseThrow(() -> new AssertionError("the README shows no output of scripts/dev"));
        return shown.lines().stream().filter(l -> !l.isBlank() && !l.trim().equals("...")).toList();
    }
}
