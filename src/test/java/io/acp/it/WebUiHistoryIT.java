package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.client.ApiClient;
import io.acp.cluster.history.HistoryKeeper;
import io.acp.cluster.history.HistorySnapshot;
import io.acp.cluster.history.StatsHistory;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The history charts and the page fixes of issue 17 in real Chromium against a real node. The
 * node starts with two hours of recorded samples of itself in its history snapshot (written
 * with the store's own format before it starts), so a chart spans more than an hour at once.
 * Screenshots of every page go to target/webui-screenshots (prefix {@code h}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WebUiHistoryIT {

    private static final Path SHOTS = Path.of("target", "webui-screenshots");
    private static final Duration UI_LIMIT = Duration.ofSeconds(40);

    @TempDir
    static Path dir;
    private static NodeProcess a;
    private static int httpPort;
    private static WebDriver browser;

    @BeforeAll
    static void startNodeAndBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        Path nodeDir = Files.createDirectories(dir.resolve("a"));
        recordTwoHoursOfNodeStats(nodeDir.resolve("data"));
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        a = NodeProcess.start("a", nodeDir, List.of(), List.of("-Xmx192m", "-Dacp.cluster.journal.fsync=false",
                "-Dacp.node.services=cluster,api,hypervisor,webapi", "-Dacp.webapi.port=" + httpPort));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    /** The last two hours (up to a minute ago) of node a's cpu, memory and load, one sample a second. */
    private static void recordTwoHoursOfNodeStats(Path dataDir) throws IOException {
        StatsHistory h = new StatsHistory("a", 100);
        long now = System.currentTimeMillis();
        ObjectKey node = ObjectKey.of(ObjectType.NODE, "a");
        for (long t = now - 2 * 3600_000L; t < now - 60_000L; t += 1000) {
            double phase = (t / 1000 % 1800) / 1800.0;
            h.add(node, t, Map.of("cpu", 0.2 + 0.6 * phase, "memUsed", 2e9 + 1e9 * phase, "memTotal", 8e9, "load1", 4 * phase));
        }
        HistorySnapshot.save(h, HistoryKeeper.file(dataDir));
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    @Order(1)
    void theLoginNamesThisNodesKeyFileAndOffersNoLogOut() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/nodes/a");
        WebElement login = await(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        String keyFile = a.dataDir().resolve("admin.key").toAbsolutePath().toString();
        await(ExpectedConditions.textToBe(By.id("key-file"), keyFile));
        assertThat(browser.findElement(By.id("logout")).isDisplayed()).as("nothing to log out of yet").isFalse();
        screenshot("h01-login");
        login.findElement(By.name("key")).sendKeys(a.adminKey());
        login.findElement(By.cssSelector("button[type=submit]")).click();
        await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "online"));
        assertThat(browser.findElement(By.id("logout")).isDisplayed()).isTrue();
    }

    @Test
    @Order(2)
    void theNodePageChartsTheLastHourAndADaySpanningTheRecordedTwoHours() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/nodes/a");
        // The page may redraw a figure or a chart when meta, stats or the history arrive: every read finds the
        // element again inside the wait, never through a reference that a redraw could have left stale.
        By uptime = By.cssSelector("[data-node=a] [data-figure=uptime]");
        String shown = await(d -> {
            String t = d.findElement(uptime).getText();
            return t.isEmpty() || t.equals("–") ? null : t;
        });
        assertThat(shown).as("uptime with its unit, never '0 h'").matches("\\d+ (s|min|h \\d+ min|d \\d+ h)");

        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=history]"), "data-loaded", "true"));
        By cpu = By.cssSelector("canvas[data-chart=cpu]");
        await(d -> points(d, cpu) > 3000);
        String span = await(d -> d.findElement(cpu).getAttribute("data-span"));
        assertThat(Long.parseLong(span)).isEqualTo(3600_000L);
        String ticks = await(d -> d.findElement(cpu).getAttribute("data-ticks"));
        assertThat(ticks).as("a time axis with clock times").matches("\\d\\d:\\d\\d(,\\d\\d:\\d\\d)+");
        screenshot("h02-node-history-1h");

        browser.findElement(By.cssSelector("button[data-range='1d']")).click();
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=history]"), "data-range", "1d"));
        await(d -> points(d, cpu) >= 110 && "86400000".equals(d.findElement(cpu).getAttribute("data-span")));
        int dayPoints = await(d -> points(d, cpu));
        assertThat(dayPoints).as("two hours at one minute, plus the live minutes").isBetween(110, 200);
        screenshot("h03-node-history-1d");

        browser.findElement(By.cssSelector("button[data-range='30d']")).click();
        await(d -> "2592000000".equals(d.findElement(cpu).getAttribute("data-span")) && points(d, cpu) >= 11);
        screenshot("h04-node-history-30d");
    }

    @Test
    @Order(3)
    void aStoppedSystemWithoutDisksShowsNoCpuAndSaysWhyItsIoChartIsEmpty() throws Exception {
        try (ApiClient api = a.client()) {
            api.call("hypervisor", "create", Json.object().put("id", "nodisk").set("spec", Json.object().put("vcpus", 1).put("memory", 64)));
            // create does not start (issue 17, item 3): start it
            if (!api.call("hypervisor", "show", Json.object().put("id", "nodisk")).path("meta").path("state").asText().equals("running")) {
                api.call("hypervisor", "start", Json.object().put("id", "nodisk"));
            }
            browser.get("http://127.0.0.1:" + httpPort + "/#/systems");
            await(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-system=nodisk]"), "data-state", "running"));
            await(d -> !d.findElement(By.cssSelector("tr[data-system=nodisk] [data-figure=cpu]")).getText().equals("–"));
            api.call("hypervisor", "stop", Json.object().put("id", "nodisk"));
        }
        await(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-system=nodisk]"), "data-state", "stopped"));
        String stoppedCpu = await(d -> d.findElement(By.cssSelector("tr[data-system=nodisk] [data-figure=cpu]")).getText());
        assertThat(stoppedCpu).isEqualTo("–");
        WebElement id = browser.findElement(By.cssSelector("[data-testid=create-system] input[name=id]"));
        Object valid = ((JavascriptExecutor) browser).executeScript(
                "const i = arguments[0]; try { new RegExp(i.pattern, 'v'); } catch (e) { return 'invalid: ' + e.message; }"
                        + " i.value = 'bad id!'; const bad = i.validity.patternMismatch; i.value = 'web-1.a:b_c'; return bad && !i.validity.patternMismatch;", id);
        assertThat(valid).as("the id pattern compiles with Chromium's /v flag and is enforced").isEqualTo(true);
        id.clear();
        screenshot("h05-systems");

        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/nodisk");
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=history]"), "data-loaded", "true"));
        await(d -> {
            String empty = d.findElement(By.cssSelector("canvas[data-chart=io]")).getAttribute("data-empty");
            return empty != null && empty.startsWith("no disk or network counters");
        });
        screenshot("h06-system-detail");
    }

    @Test
    @Order(4)
    void anUnknownAddressSaysSoAndEveryPageIsPhotographed() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=systems]")));
        browser.get("http://127.0.0.1:" + httpPort + "/#/no/such/page");
        WebElement notFound = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=not-found]")));
        assertThat(notFound.getText()).contains("Page not found").contains("#/no/such/page");
        assertThat(browser.findElements(By.cssSelector("[data-testid=systems]"))).as("the previous page is gone").isEmpty();
        screenshot("h07-not-found");
        for (String page : List.of("dashboard", "networks", "storage", "services", "nodes")) {
            browser.get("http://127.0.0.1:" + httpPort + "/#/" + page);
            await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "online"));
            Thread.sleep(1500); // let meta and stats arrive before the picture
            screenshot("h08-" + page);
        }
        WebElement services = browser.findElement(By.tagName("main"));
        browser.get("http://127.0.0.1:" + httpPort + "/#/services");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dl.kv")));
        assertThat(services.getText()).doesNotContain("E9").doesNotContain("E10");
    }

    private static int points(WebDriver d, By canvas) {
        String p = d.findElement(canvas).getAttribute("data-points");
        return p == null ? 0 : Integer.parseInt(p);
    }

    private static <T> T await(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(browser, UI_LIMIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }
}
