package io.acp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * native-config/ stays current: every class it names exists, and every class of ours that a
 * library instantiates by reflection (picocli converters and version providers) is named there.
 */
class NativeConfigTest {

    private static Set<String> registered() throws IOException {
        Set<String> names = new TreeSet<>();
        for (JsonNode entry : Json.MAPPER.readTree(Path.of("native-config/reflect-config.json").toFile())) {
            names.add(entry.path("name").asText());
        }
        return names;
    }

    @Test
    void everyRegisteredClassExists() throws IOException {
        for (String name : registered()) {
            assertThat(classExists(name)).as("native-config/reflect-config.json names %s", name).isTrue();
        }
    }

    @Test
    void everyReflectivelyCreatedPicocliClassIsRegistered() throws IOException {
        Set<String> needed = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.acp")) {
            if (c.isAssignableTo(CommandLine.ITypeConverter.class) || c.isAssignableTo(CommandLine.IVersionProvider.class)) {
                needed.add(c.getName());
            }
        }
        assertThat(needed).isNotEmpty();
        assertThat(registered()).containsAll(needed);
    }

    private static boolean classExists(String name) {
        try {
            Class.forName(name, false, NativeConfigTest.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
