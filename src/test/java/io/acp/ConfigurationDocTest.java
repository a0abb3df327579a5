package io.acp;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.smallrye.config.ConfigMapping;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md documents exactly the keys that the @ConfigMapping interfaces define. */
class ConfigurationDocTest {

    @Test
    void everyKeyIsDocumentedAndEveryDocumentedKeyExists() throws IOException {
        Set<String> inCode = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.acp")) {
            if (c.isAnnotatedWith(ConfigMapping.class)) {
                Class<?> mapping = c.reflect();
                collect(mapping.getAnnotation(ConfigMapping.class).prefix(), mapping, inCode);
            }
        }
        String doc = Files.readString(Path.of("docs/configuration.md"));
        Set<String> inDoc = new TreeSet<>();
        Matcher m = Pattern.compile("^\\| `(acp\\.[a-z0-9.-]+)`", Pattern.MULTILINE).matcher(doc);
        while (m.find()) {
            inDoc.add(m.group(1));
        }
        assertThat(inCode).as("keys defined by @ConfigMapping interfaces").isNotEmpty();
        assertThat(inDoc).as("keys in the tables of docs/configuration.md").containsExactlyInAnyOrderElementsOf(inCode);
    }

    private static void collect(String prefix, Class<?> type, Set<String> out) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.isDefault() || method.isSynthetic() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String key = prefix + "." + kebab(method.getName());
            Class<?> ret = method.getReturnType();
            if (ret.isInterface() && ret.getName().startsWith("io.acp.")) {
                collect(key, ret, out);
            } else {
                out.add(key);
            }
        }
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }
}
