package io.acp;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of docs/architecture.md, enforced so the picture cannot rot: entry points (cli, api,
 * agent, webapi) call services; services use model, protocol and the CDB; the CDB and the monitor
 * never reach into hypervisor, network or storage; model and protocol depend on nothing of ours
 * above them. Rules about packages that do not exist yet allow an empty selection.
 */
class ArchitectureTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.acp");
    }

    private static void check(ArchRule rule) {
        rule.allowEmptyShould(true).check(classes);
    }

    @Test
    void modelDependsOnNothingOfOurs() {
        check(noClasses().that().resideInAPackage("io.acp.model..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.acp.protocol..", "io.acp.cluster..", "io.acp.framework..", "io.acp.api..", "io.acp.cli..", "io.acp.security..",
                        "io.acp.agent..", "io.acp.webapi..", "io.acp.hypervisor..", "io.acp.network..", "io.acp.storage..", "io.acp.monitor.."));
    }

    @Test
    void protocolDependsOnlyOnModel() {
        check(noClasses().that().resideInAPackage("io.acp.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.acp.cluster..", "io.acp.framework..", "io.acp.api..", "io.acp.cli..", "io.acp.agent..", "io.acp.security..",
                        "io.acp.webapi..", "io.acp.hypervisor..", "io.acp.network..", "io.acp.storage..", "io.acp.monitor.."));
    }

    @Test
    void cdbAndMonitorNeverReachIntoResourceServices() {
        check(noClasses().that().resideInAnyPackage("io.acp.cluster..", "io.acp.monitor..")
                .should().dependOnClassesThat().resideInAnyPackage("io.acp.hypervisor..", "io.acp.network..", "io.acp.storage.."));
    }

    @Test
    void servicesNeverCallEntryPoints() {
        check(noClasses().that().resideInAnyPackage(
                        "io.acp.cluster..", "io.acp.framework..", "io.acp.hypervisor..", "io.acp.network..", "io.acp.storage..", "io.acp.monitor..")
                .should().dependOnClassesThat().resideInAnyPackage("io.acp.cli..", "io.acp.api..", "io.acp.agent..", "io.acp.webapi.."));
    }

    /** The PKI is a library for the entry points: files and certificates, no services, no transport. */
    @Test
    void securityUsesOnlyModelAndProtocol() {
        check(noClasses().that().resideInAPackage("io.acp.security..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.acp.cluster..", "io.acp.framework..", "io.acp.api..", "io.acp.cli..", "io.acp.agent..",
                        "io.acp.webapi..", "io.acp.hypervisor..", "io.acp.network..", "io.acp.storage..", "io.acp.monitor.."));
    }

    /** The local API may be routed through the agent but never depends on it: the agent plugs in. */
    @Test
    void apiDoesNotDependOnTheAgent() {
        check(noClasses().that().resideInAPackage("io.acp.api..")
                .should().dependOnClassesThat().resideInAPackage("io.acp.agent.."));
    }

    @Test
    void nothingDependsOnTheCli() {
        check(noClasses().that().resideOutsideOfPackage("io.acp.cli..")
                .should().dependOnClassesThat().resideInAPackage("io.acp.cli.."));
    }
}
