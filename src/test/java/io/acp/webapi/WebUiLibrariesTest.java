package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The front-end libraries the console pages load are in the build's static files, installed by the
 * build from src/main/webui/package-lock.json (the versions and integrity it pins, the ones
 * package.json asks for exactly), with their licences, and the files the pages import exist.
 */
class WebUiLibrariesTest {

    private static final Path WEBUI = Path.of("src/main/webui");
    private static final Path BUILT = Path.of("target/classes/META-INF/resources/vendor");

    @Test
    void theBuildInstalledTheLockedVersionsWithTheirLicences() throws Exception {
        JsonNode lock = Json.MAPPER.readTree(WEBUI.resolve("package-lock.json").toFile());
        JsonNode wanted = Json.MAPPER.readTree(WEBUI.resolve("package.json").toFile()).path("dependencies");
        List<String> expected = new java.util.ArrayList<>();
        for (String pkg : List.of("@novnc/novnc", "@xterm/xterm")) {
            JsonNode entry = lock.path("packages").path("node_modules/" + pkg);
            assertThat(entry.path("version").asText()).as("%s locked at the exact version package.json names", pkg)
                    .isEqualTo(wanted.path(pkg).asText());
            assertThat(entry.path("integrity").asText()).as("%s integrity", pkg).startsWith("sha512-");
            expected.add(pkg + " " + entry.path("version").asText() + " " + entry.path("integrity").asText());
        }
        assertThat(Files.readAllLines(BUILT.resolve("VERSIONS"))).containsExactlyElementsOf(expected);
        for (String file : List.of("novnc/LICENSE.txt", "novnc/vendor/pako/LICENSE", "xterm/LICENSE", "novnc/core/rfb.js", "xterm/xterm.mjs",
                "xterm/xterm.css")) {
            assertThat(BUILT.resolve(file)).as(file).isNotEmptyFile();
        }
        String page = Files.readString(Path.of("src/main/resources/META-INF/resources/js/views/console.js"));
        assertThat(page).contains("../../vendor/xterm/xterm.mjs", "../../vendor/novnc/core/rfb.js");
    }
}
