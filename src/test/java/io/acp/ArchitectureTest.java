package io.acp;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The layering of docs/architecture.md, enforced so the picture cannot rot. An allow-list in the
 * style of Kafka's import-control: each package of ours names the packages of ours it may import,
 * and everything else is refused; a new package must be added here before it can be used. On top,
 * no package cycles, neither between the top-level capabilities nor between any two packages.
 *
 * <p>Bottom to top: {@code model}; {@code protocol}; {@code security}, {@code node} (the service
 * contract) and {@code cluster} (the CDB alone); the cluster's own subpackages; the resource
 * services; {@code framework} (the service manager); the entry points; {@code cli}.
 */
class ArchitectureTest {

    private static final String MODEL = "io.acp.model";
    private static final String PROTOCOL = "io.acp.protocol";
    private static final String NODE = "io.acp.node";
    private static final String CDB = "io.acp.cluster";
    private static final String CLUSTER_SERVICE = "io.acp.cluster.service";
    private static final String MEMBERSHIP = "io.acp.cluster.sync.membership";
    private static final String SECURITY = "io.acp.security";
    private static final String HISTORY = "io.acp.cluster.history";

    /** Package → the packages of ours it may depend on (besides itself). */
    static final Map<String, List<String>> ALLOWED = new LinkedHashMap<>();

    static {
        allow(MODEL);
        allow(PROTOCOL, MODEL);
        allow(SECURITY, MODEL, PROTOCOL);
        allow(NODE, MODEL, PROTOCOL);
        allow(CDB, MODEL, PROTOCOL);
        allow("io.acp.cluster.journal", CDB, MODEL, PROTOCOL);
        allow(HISTORY, CDB, MODEL, PROTOCOL);
        allow("io.acp.cluster.sync.wire", MODEL, PROTOCOL);
        allow("io.acp.cluster.sync.transport", MODEL, PROTOCOL);
        allow("io.acp.cluster.sync.origin", "io.acp.cluster.sync.wire", SECURITY, MODEL, PROTOCOL);
        allow(MEMBERSHIP, CDB, MODEL, PROTOCOL);
        allow("io.acp.cluster.sync", CDB, MEMBERSHIP, "io.acp.cluster.sync.origin", "io.acp.cluster.sync.transport", "io.acp.cluster.sync.wire", SECURITY, MODEL, PROTOCOL);
        allow("io.acp.cluster.bridge", CDB, "io.acp.cluster.sync.origin", "io.acp.cluster.sync.wire", SECURITY, MODEL, PROTOCOL);
        allow(CLUSTER_SERVICE, CDB, HISTORY, "io.acp.cluster.journal", "io.acp.cluster.sync..", "io.acp.cluster.bridge", NODE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.monitor.election", CDB, MODEL, PROTOCOL);
        allow("io.acp.monitor", "io.acp.monitor.election", CDB, CLUSTER_SERVICE, MEMBERSHIP, NODE, MODEL, PROTOCOL);
        allow("io.acp.hypervisor", CDB, CLUSTER_SERVICE, MEMBERSHIP, NODE, MODEL, PROTOCOL);
        allow("io.acp.libvirt", MODEL, PROTOCOL);
        allow("io.acp.hypervisor.libvirt", "io.acp.hypervisor", "io.acp.libvirt", MODEL, PROTOCOL);
        allow("io.acp.network", CDB, CLUSTER_SERVICE, MEMBERSHIP, NODE, MODEL, PROTOCOL);
        allow("io.acp.storage.common", CDB, NODE, MODEL, PROTOCOL);
        allow("io.acp.storage.device", "io.acp.storage.common", CDB, MODEL);
        allow("io.acp.storage.share", "io.acp.storage.common", MODEL, PROTOCOL);
        allow("io.acp.storage.pool", "io.acp.storage.share", "io.acp.storage.common", "io.acp.libvirt", CDB, MODEL, PROTOCOL); // pools may live on a share
        allow("io.acp.storage", "io.acp.storage.device", "io.acp.storage.share", "io.acp.storage.pool", "io.acp.storage.common",
                CDB, CLUSTER_SERVICE, NODE, MODEL, PROTOCOL);
        allow("io.acp.framework", CDB, CLUSTER_SERVICE, NODE, MODEL, PROTOCOL);
        allow("io.acp.ha", "io.acp.hypervisor", CDB, CLUSTER_SERVICE, NODE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.api.client", SECURITY, MODEL, PROTOCOL);
        allow("io.acp.console", "io.acp.hypervisor", MODEL, PROTOCOL);
        allow("io.acp.task", CDB, MODEL, PROTOCOL);
        allow("io.acp.api", "io.acp.console", "io.acp.task", "io.acp.hypervisor", "io.acp.network", "io.acp.storage", "io.acp.storage.pool", "io.acp.storage.share", "io.acp.monitor", "io.acp.framework",
                CDB, HISTORY, CLUSTER_SERVICE, "io.acp.cluster.sync", MEMBERSHIP, NODE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.agent", "io.acp.api", "io.acp.console", "io.acp.framework", CDB, CLUSTER_SERVICE, MEMBERSHIP, NODE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.webapi", "io.acp.api", "io.acp.console", "io.acp.framework", CDB, CLUSTER_SERVICE, NODE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.rest", "io.acp.api", CDB, CLUSTER_SERVICE, SECURITY, MODEL, PROTOCOL);
        allow("io.acp.metrics", "io.acp.rest", "io.acp.framework", CDB, CLUSTER_SERVICE, "io.acp.cluster.sync", NODE, MODEL, PROTOCOL);
        allow("io.acp.cli", "io.acp.agent", "io.acp.api", "io.acp.api.client", "io.acp.webapi", "io.acp.framework",
                HISTORY, "io.acp.cluster.sync", NODE, SECURITY, MODEL, PROTOCOL);
    }

    private static void allow(String pkg, String... allowed) {
        ALLOWED.put(pkg, List.of(allowed));
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importMainClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.acp");
    }

    /** A package nobody listed has no rule; listing one that no longer exists hides a typo. */
    @Test
    void everyPackageIsListedAndEveryListedPackageExists() {
        Set<String> packages = classes.stream()
                .map(JavaClass::getPackageName)
                .filter(p -> p.startsWith("io.acp."))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(packages, new TreeSet<>(ALLOWED.keySet()), "packages of io.acp vs the allow-list of ArchitectureTest");
    }

    @TestFactory
    Stream<DynamicTest> eachPackageImportsOnlyWhatItIsAllowed() {
        return ALLOWED.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String[] permitted = Stream.concat(Stream.of(e.getKey()), e.getValue().stream()).toArray(String[]::new);
            noClasses().that().resideInAPackage(e.getKey())
                    .should().dependOnClassesThat(resideInAPackage("io.acp..").and(not(resideInAnyPackage(permitted))))
                    .as(e.getKey() + " depends only on " + e.getValue())
                    .check(classes);
        }));
    }

    /** See SharedOutcome: memoize can hand a late subscriber its answer before its subscription, and chain then drops it. */
    @Test
    void noCodeOfOursMemoizesAUni() {
        noClasses().that().resideInAPackage("io.acp..")
                .should().callMethod(io.smallrye.mutiny.Uni.class, "memoize")
                .because("memoize() can answer a late subscriber before it is subscribed; use io.acp.model.SharedOutcome")
                .check(classes);
    }

    @Test
    void capabilitiesAreFreeOfCycles() {
        slices().matching("io.acp.(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching("io.acp.(**)").should().beFreeOfCycles().check(classes);
    }
}
