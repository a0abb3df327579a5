package io.acp.cli;

/**
 * A command that needs the node's application: CDI beans such as the node's identity or its
 * lifecycle, or the node's configuration mappings. {@link AcpMain} boots Quarkus for these; every
 * other command runs straight from {@code main} ({@link ClientLauncher}), which is what keeps a
 * client call like {@code acp status} fast. A command with an {@code @Inject} field must implement
 * this (CommandBootTest checks the whole command tree).
 */
interface NeedsApplication {
}
