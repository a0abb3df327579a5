package io.acp.rest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * One implementation of each operation: the REST API and /metrics reach the services only through
 * the API's dispatcher (and the CDB for reads of stats and owners), never the services' own classes.
 */
class RestArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.acp.rest", "io.acp.metrics");

    @Test
    void restAndMetricsNeverCallTheServicesDirectly() {
        noClasses().that().resideInAnyPackage("io.acp.rest..", "io.acp.metrics..")
                .should().dependOnClassesThat().resideInAnyPackage("io.acp.hypervisor..", "io.acp.network..", "io.acp.storage..",
                        "io.acp.monitor..", "io.acp.agent..", "io.acp.webapi..")
                .check(CLASSES);
    }
}
