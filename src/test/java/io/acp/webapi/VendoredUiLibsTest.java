package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The front-end libraries the console pages load are the ones scripts/vendor-ui-libs pins (version
 * and integrity), present with their licences, and the files the pages import exist.
 */
class VendoredUiLibsTest {

    private static final Path VENDOR = Path.of("src/main/resources/META-INF/resources/vendor");

    @Test
    void theVendoredFilesAreThePinnedVersionsWithTheirLicences() throws Exception {
        String script = Files.readString(Path.of("scripts/vendor-ui-libs"));
        List<String> versions = Files.readAllLines(VENDOR.resolve("VERSIONS"));
        assertThat(versions).containsExactly(
                "@novnc/novnc " + pinned(script, "NOVNC_VERSION") + " " + pinned(script, "NOVNC_INTEGRITY"),
                "@xterm/xterm " + pinned(script, "XTERM_VERSION") + " " + pinned(script, "XTERM_INTEGRITY"));
        for (String file : List.of("novnc/LICENSE.txt", "novnc/vendor/pako/LICENSE", "xterm/LICENSE", "novnc/core/rfb.js", "xterm/xterm.mjs",
                "xterm/xterm.css")) {
            assertThat(VENDOR.resolve(file)).as(file).isNotEmptyFile();
        }
        String page = Files.readString(Path.of("src/main/resources/META-INF/resources/js/views/console.js"));
        assertThat(page).contains("../../vendor/xterm/xterm.mjs", "../../vendor/novnc/core/rfb.js");
    }

    private static String pinned(String script, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(script);
        assertThat(m.find()).as("%s in scripts/vendor-ui-libs", name).isTrue();
        return m.group(1);
    }
}
