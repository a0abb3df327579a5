package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.testing.Ports;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in a real browser (Debian's chromium, headless, driven by Selenium through
 * chromium-driver) against two real nodes ({@code acp node run} processes) that sync over
 * multicast on loopback; node a runs webapi and the monitor. Screenshots go to target/webui-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WebUiIT {

    private static final Path SHOTS = Path.of("target", "webui-screenshots");
    private static final Duration UI_LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    private static NodeProcess a;
    private static NodeProcess b;
    private static int httpPort;
    private static WebDriver browser;

    @BeforeAll
    static void startClusterAndBrowser() throws Exception {
        Files.createDirectories(SHOTS);
        httpPort = freeTcpPort();
        String group = Ports.randomGroup();
        int syncPort = Ports.freeUdpPort();
        List<String> sync = List.of(
                "-Xmx192m",
                "-Dacp.cluster.sync.enabled=true",
                "-Dacp.cluster.sync.group=" + group,
                "-Dacp.cluster.sync.port=" + syncPort,
                "-Dacp.cluster.sync.secret=web-ui-test-secret-0123456789",
                "-Dacp.cluster.journal.fsync=false");
        a = NodeProcess.start("a", Files.createDirectories(dir.resolve("a")), List.of(), concat(sync,
                "-Dacp.node.services=cluster,api,hypervisor,monitor,webapi", "-Dacp.webapi.port=" + httpPort,
                "-Dacp.monitor.raise-delay=1s", "-Dacp.monitor.clear-delay=3s"));
        b = NodeProcess.start("b", Files.createDirectories(dir.resolve("b")), List.of(), concat(sync,
                "-Dacp.node.services=cluster,api,hypervisor"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
    }

    @Test
    @Order(1)
    void theDashboardShowsBothNodesLive() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/");
        WebElement login = await(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        screenshot("01-login");
        login.findElement(By.name("key")).sendKeys(a.adminKey());
        login.findElement(By.cssSelector("button[type=submit]")).click();
        await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "online"));
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=a]"), "data-state", "alive"));
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=b]"), "data-state", "alive"));
        // Live: the cpu figure of b is filled in from its pushed stats, the monitor's health score too.
        await(d -> !d.findElement(By.cssSelector("[data-node=b] [data-figure=cpu]")).getText().equals("–"));
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=health] .score")));
        screenshot("02-dashboard-two-nodes");
    }

    @Test
    @Order(2)
    void creatingASystemInTheUiMakesItRun() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems");
        WebElement form = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=create-system]")));
        form.findElement(By.name("id")).sendKeys("ui1");
        WebElement memory = form.findElement(By.name("memory"));
        memory.clear();
        memory.sendKeys("64");
        await(d -> new Select(d.findElement(By.cssSelector("[data-testid=create-node]"))).getOptions().size() >= 2);
        new Select(form.findElement(By.cssSelector("[data-testid=create-node]"))).selectByValue("a");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        await(ExpectedConditions.attributeToBe(By.cssSelector("tr[data-system=ui1]"), "data-state", "running"));
        screenshot("03-system-running");

        try (ApiClient api = a.client()) {
            JsonNode shown = api.call("hypervisor", "show", Json.object().put("id", "ui1"));
            assertThat(shown.path("meta").path("state").asText()).as("%s", shown).isEqualTo("running");
            assertThat(shown.path("meta").path("node").asText()).isEqualTo("a");
        }

        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/ui1");
        await(ExpectedConditions.attributeToBe(By.cssSelector("section[data-system=ui1]"), "data-state", "running"));
        Thread.sleep(3000); // a few stats samples for the charts
        screenshot("04-system-charts");

        // The create is a task in the audit log, listed live on the Tasks page with who did it and where.
        browser.get("http://127.0.0.1:" + httpPort + "/#/tasks");
        WebElement task = await(ExpectedConditions.visibilityOfElementLocated(By.xpath(
                "//table[@data-testid='tasks']//tr[td/code[text()='hypervisor.create'] and td[text()='system/ui1']]")));
        assertThat(task.getText()).contains("admin").contains("ok");
        screenshot("04b-tasks");

        // Editing a running system: memory within its maximum is ballooned live; a second vCPU is above the
        // maximum it started with, so it is pending until the next start. The form says so field by field,
        // and the page lists the pending field from the node's meta.
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/ui1");
        WebElement edit = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=edit-system]")));
        edit.findElement(By.name("vcpus")).sendKeys("2");
        edit.findElement(By.name("memory")).sendKeys("48");
        edit.findElement(By.cssSelector("button[type=submit]")).click();
        WebElement said = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".toast.good")));
        assertThat(said.getText()).contains("vcpus").contains("next start");
        WebElement vcpusOutcome = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=edit-outcome] [data-field=vcpus]")));
        assertThat(vcpusOutcome.getAttribute("data-applied")).isEqualTo("pending");
        assertThat(vcpusOutcome.getText()).contains("until the next start").contains("above the maximum of 1 vCPUs defined at start");
        WebElement memoryOutcome = browser.findElement(By.cssSelector("[data-testid=edit-outcome] [data-field=memory]"));
        assertThat(memoryOutcome.getAttribute("data-applied")).isEqualTo("live");
        assertThat(memoryOutcome.getText()).contains("applied to the running system now");
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=pending]"), "data-fields", "vcpus"));
        screenshot("04c-system-edited");
        try (ApiClient api = a.client()) {
            JsonNode shown = api.call("hypervisor", "show", Json.object().put("id", "ui1"));
            assertThat(shown.path("object").path("spec").path("vcpus").asInt()).as("%s", shown).isEqualTo(2);
            assertThat(shown.path("object").path("spec").path("memory").asInt()).as("%s", shown).isEqualTo(48);
        }

        // The Nodes page is the cluster's tree: node a lists the system it runs, linked to its page; b lists none.
        browser.get("http://127.0.0.1:" + httpPort + "/#/nodes");
        await(ExpectedConditions.attributeToBe(By.cssSelector("section[data-node=a] [data-testid=node-systems] li[data-system=ui1]"), "data-state", "running"));
        // read inside the wait: the page redraws on every update, so an element found once can go stale
        String bSystems = await(d -> d.findElement(By.cssSelector("section[data-node=b] [data-testid=node-systems]")).getText());
        assertThat(bSystems).isEqualTo("none");
        screenshot("04d-nodes-tree");
        // the page redraws on every update, so follow the link's address rather than a clicked element
        String link = await(d -> {
            try {
                return d.findElement(By.cssSelector("section[data-node=a] [data-testid=node-systems] li[data-system=ui1] a")).getAttribute("href");
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                return null; // asked again at the next poll
            }
        });
        assertThat(link).endsWith("#/systems/ui1");
        browser.get(link);
        await(ExpectedConditions.attributeToBe(By.cssSelector("section[data-system=ui1]"), "data-state", "running"));
    }

    @Test
    @Order(3)
    void itFitsAPhoneScreen() throws Exception {
        browser.manage().window().setSize(new Dimension(390, 844));
        browser.get("http://127.0.0.1:" + httpPort + "/#/dashboard");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-node=b]")));
        Long overflow = (Long) ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("no horizontal scrolling on a 390 px wide screen").isLessThanOrEqualTo(0L);
        assertThat(browser.findElement(By.tagName("nav")).isDisplayed()).as("the menu is folded away").isFalse();
        screenshot("05-phone-dashboard");
        browser.findElement(By.id("menu")).click();
        assertThat(browser.findElement(By.tagName("nav")).isDisplayed()).isTrue();
        screenshot("06-phone-menu");
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    /**
     * A real alarm, raised by its rule: node b is frozen (SIGSTOP) until the monitor on a raises its
     * nodeSuspect alarm about b (suspect after 2 s of silence, raise-delay 1 s); it is on the
     * dashboard while raised, and gone once b answers again and the monitor clears it (clear-delay 3 s).
     * The alarm is the monitor's own object: nothing else writes it, so nothing overwrites it.
     */
    @Test
    @Order(4)
    void anAlarmInTheClusterIsOnTheDashboardUntilCleared() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/dashboard");
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=b]"), "data-state", "alive"));
        String id;
        b.freeze();
        try {
            id = await(d -> {
                for (WebElement row : d.findElements(By.cssSelector("[data-testid=alarms] li.severity-major"))) {
                    if (row.getText().contains("node/b") && row.getText().contains("suspect")) {
                        return row.getAttribute("data-alarm");
                    }
                }
                return null;
            });
            screenshot("07-alarm-raised");
        } finally {
            b.thaw();
        }
        assertThat(id).startsWith("nodeSuspect");
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("[data-testid=alarms] li[data-alarm='" + id + "']")));
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=b]"), "data-state", "alive"));
    }

    @Test
    @Order(5)
    void aKilledNodeTurnsRedAndItsAlarmAppears() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/dashboard");
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=b]"), "data-state", "alive"));
        b.kill();
        await(d -> {
            String state = d.findElement(By.cssSelector("[data-testid=nodes] [data-node=b]")).getAttribute("data-state");
            return "dead".equals(state) || "silent".equals(state);
        });
        await(d -> d.findElement(By.cssSelector("[data-testid=nodes] [data-node=b]")).getAttribute("class").contains("down"));
        // The monitor on a raises its nodeDead alarm about b (dead-after 6 s, raise-delay 1 s): on screen, pushed.
        String id = await(d -> {
            WebElement alarm = d.findElement(By.cssSelector("[data-testid=alarms] li.severity-critical"));
            return alarm.getText().contains("node b") ? alarm.getAttribute("data-alarm") : null;
        });
        screenshot("08-node-b-down");
        // Ack in the UI (monitor.ack): the row stays, acknowledged. The page redraws at every push: find, then click.
        await(d -> {
            d.findElement(By.cssSelector("[data-testid=alarms] li[data-alarm='" + id + "'] button")).click();
            return true;
        });
        await(d -> d.findElement(By.cssSelector("[data-testid=alarms] li[data-alarm='" + id + "']")).getText().contains("acknowledged"));
        String border = await(d -> d.findElement(By.cssSelector("[data-testid=nodes] [data-node=b]")).getCssValue("border-color"));
        assertThat(border).as("red border").isEqualTo("rgb(214, 64, 64)");
        screenshot("08b-alarm-acknowledged");
    }

    @Test
    @Order(6)
    void theUiReconnectsByItselfWhenItsNodeRestarts() throws Exception {
        a.kill();
        await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "offline"));
        screenshot("09-node-a-offline");
        a.restart();
        // The session token survives the restart: no login, straight back online with live data.
        await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "online"));
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=nodes] [data-node=a]"), "data-state", "alive"));
        assertThat(browser.findElement(By.id("login")).isDisplayed()).isFalse();
        screenshot("10-reconnected");
    }

    /**
     * {@code acp status} with the node's own configuration (webapi in the services, its HTTP port)
     * while the node serves that port: the CLI keeps HTTP off, so nothing collides.
     */
    @Test
    @Order(7)
    void theCliNextToTheNodeNeverOpensItsHttpPort() throws Exception {
        AcpApp.CliResult status = AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + a.dataDir(), "-Dacp.node.id=a",
                "-Dacp.node.services=cluster,api,hypervisor,monitor,webapi", "-Dacp.webapi.port=" + httpPort), Duration.ofSeconds(60),
                "status", "--json", "--socket", a.socket().toString());
        assertThat(status.exitCode()).as("%s", status).isZero();
        assertThat(Json.MAPPER.readTree(status.out().get(0)).path("node").asText()).isEqualTo("a");
    }

    private static <T> T await(java.util.function.Function<? super WebDriver, T> condition) {
        // The UI redraws a page at every pushed change: an element found a moment ago may be gone.
        return new WebDriverWait(browser, UI_LIMIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    private static void screenshot(String name) throws IOException {
        byte[] png = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(SHOTS.resolve(name + ".png"), png);
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new java.util.ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }
}
