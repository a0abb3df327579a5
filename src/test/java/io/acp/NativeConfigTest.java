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

    @Test
    void everyJniAndProxyEntryNamesRealClassesMethodsAndFields() throws Exception {
        for (JsonNode entry : Json.MAPPER.readTree(Path.of("native-config/jni-config.json").toFile())) {
            Class<?> c = Class.forName(entry.path("name").asText(), false, NativeConfigTest.class.getClassLoader());
            for (JsonNode m : entry.path("methods")) {
                Class<?>[] params = new Class<?>[m.path("parameterTypes").size()];
                for (int i = 0; i < params.length; i++) {
                    params[i] = type(m.path("parameterTypes").get(i).asText());
                }
                if (m.path("name").asText().equals("<init>")) {
                    assertThat(c.getDeclaredConstructor(params)).as("jni-config: %s constructor", c.getName()).isNotNull();
                } else {
                    assertThat(c.getDeclaredMethod(m.path("name").asText(), params)).as("jni-config: %s method", c.getName()).isNotNull();
                }
            }
            for (JsonNode f : entry.path("fields")) {
                assertThat(c.getDeclaredField(f.path("name").asText())).as("jni-config: %s field", c.getName()).isNotNull();
            }
        }
        for (JsonNode entry : Json.MAPPER.readTree(Path.of("native-config/proxy-config.json").toFile())) {
            for (JsonNode i : entry.path("interfaces")) {
                assertThat(Class.forName(i.asText(), false, NativeConfigTest.class.getClassLoader()).isInterface()).isTrue();
            }
        }
    }

    private static Class<?> type(String name) throws ClassNotFoundException {
        return switch (name) {
            case "boolean" -> boolean.class;
            case "byte" -> byte.class;
            case "char" -> char.class;
            case "short" -> short.class;
            case "int" -> int.class;
            case "long" -> long.class;
            case "float" -> float.class;
            case "double" -> double.class;
            case "byte[]" -> byte[].class;
            default -> Class.forName(name, false, NativeConfigTest.class.getClassLoader());
        };
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
