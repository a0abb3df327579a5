package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.testing.Eventually;
import io.acp.testing.Ports;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
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
 * The browser consoles of a real guest on another node. Node w serves the web UI and runs no
 * hypervisor; node k runs the guest on {@code qemu:///system} (LiveMigrationIT's ticker boot sector,
 * which writes "acp-tick N" to its serial port every 10 ms). Real Chromium opens the system's page
 * on w, then its serial console (xterm.js) shows the guest's ticks, and its graphical console
 * (noVNC) connects and draws a non-blank framebuffer: w's WebAPI relays both through k's agent
 * (mutual TLS, console.attach). Leaving the page closes the relay on both nodes.
 * Run under {@code flock /tmp/acp-qemu.lock flock /tmp/acp-browser.lock}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiConsoleIT {

    private static final String URI = HostLibvirt.URI;
    private static final String ID = "acp-console-it-" + ProcessHandle.current().pid();
    /** qemu (another user) must reach the guest's disk: not under a 0700 temporary directory. */
    private static final Path DISKS = Path.of("/var/tmp", ID);
    private static final Path SHOTS = Path.of("target", "webui-screenshots");
    private static final Duration UI_LIMIT = Duration.ofSeconds(60);
    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static NodeProcess w;
    static NodeProcess k;
    static int httpPort;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        HostLibvirt.requireRunning();
        Files.createDirectories(SHOTS);
        Files.createDirectories(DISKS);
        Files.setPosixFilePermissions(DISKS, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path disk = DISKS.resolve(ID + ".img");
        try (InputStream boot = WebUiConsoleIT.class.getResourceAsStream("/guest/ticker.bin")) {
            Files.write(disk, boot.readAllBytes());
        }
        try (var f = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(1 << 20);
        }

        httpPort = freeTcpPort();
        List<String> sync = List.of("-Xmx192m", "-Dacp.cluster.sync.enabled=true", "-Dacp.cluster.sync.secret=web-console-it-secret-0123",
                "-Dacp.cluster.sync.group=" + Ports.randomGroup(), "-Dacp.cluster.sync.port=" + Ports.freeUdpPort(),
                "-Dacp.cluster.sync.multicast-interface=lo", "-Dacp.cluster.journal.fsync=false");
        Path dw = Files.createDirectories(dir.resolve("w"));
        Path dk = Files.createDirectories(dir.resolve("k"));
        w = NodeProcess.start("w", dw, List.of(), concat(sync, "-Dacp.node.services=cluster,api,agent,webapi", "-Dacp.webapi.port=" + httpPort));
        CliResult added = cli(w, "cluster", "add-node", "k", "--out", dk.resolve("data").toString());
        assertThat(added.exitCode()).as("%s", added).isZero();
        Files.copy(w.dataDir().resolve("api-keys"), dk.resolve("data/api-keys"));
        Files.copy(w.dataDir().resolve("admin.key"), dk.resolve("data/admin.key"));
        k = NodeProcess.start("k", dk, List.of(), concat(sync, "-Dacp.node.services=cluster,api,hypervisor,agent", "-Dacp.hypervisor.uri=" + URI,
                "-Dacp.hypervisor.allowed-device-paths=" + DISKS, "-Dacp.hypervisor.reconcile-interval=2s"));
        for (NodeProcess n : List.of(w, k)) {
            CliResult meta = cli(n, "meta", "node", n.id(), "--json");
            assertThat(meta.exitCode()).as("%s", meta).isZero();
            String address = Json.MAPPER.readTree(meta.out().get(0)).get(0).path("values").path("agent").asText();
            CliResult put = cli(w, "put", "node", n.id(), "--spec", "{\"agent\":\"" + address + "\"}");
            assertThat(put.exitCode()).as("%s", put).isZero();
        }

        ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 32).put("node", "k");
        spec.putArray("disks").addObject().put("path", disk.toString()).put("format", "raw").put("bus", "ide");
        CliResult created = cli(k, "system", "create", ID, "--start", "--spec", spec.toString());
        assertThat(created.exitCode()).as("%s", created).isZero();

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
            for (NodeProcess n : new NodeProcess[] {k, w}) {
                if (n != null) {
                    n.close();
                }
            }
        } finally {
            HostLibvirt.removeDomains(List.of(ID));
            Files.deleteIfExists(DISKS.resolve(ID + ".img"));
            Files.deleteIfExists(DISKS);
        }
    }

    @Test
    @Order(1)
    void theSerialConsoleOfAGuestOnAnotherNodeShowsItsOutput() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/" + ID);
        WebElement login = await(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        login.findElement(By.name("key")).sendKeys(w.adminKey());
        login.findElement(By.cssSelector("button[type=submit]")).click();
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-system='" + ID + "']"), "data-state", "running"));
        // The page is redrawn at every pushed change: find and click in one step, again if it went stale.
        await(d -> {
            d.findElement(By.cssSelector("[data-testid=open-serial]")).click();
            return true;
        });

        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=console-serial]"), "data-state", "connected"));
        assertThat(browser.findElement(By.cssSelector("[data-testid=console-status]")).getText()).contains("on node k");
        // The guest's own output, through k's agent: its ticks, the count rising (a stream, not one chunk).
        await(d -> d.findElement(By.cssSelector("[data-testid=console-serial] .xterm-rows")).getText().contains("acp-tick"));
        await(d -> d.findElement(By.cssSelector("[data-testid=console-serial] .xterm-rows")).getText().lines()
                .filter(l -> l.startsWith("acp-tick")).count() >= 10);
        screenshot("console-serial");
    }

    @Test
    @Order(2)
    void theGraphicalConsoleConnectsAndDrawsTheGuestsScreen() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/" + ID + "/console/vnc");
        await(ExpectedConditions.attributeToBe(By.cssSelector("[data-testid=console-vnc]"), "data-state", "connected"));
        // A framebuffer update arrived: the canvas has the guest's size and some pixel is not black (SeaBIOS' text).
        await(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "const c = document.querySelector('[data-testid=console-vnc] canvas');"
                        + "if (!c || !c.width || !c.height) return false;"
                        + "const p = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                        + "for (let i = 0; i < p.length; i += 4) { if (p[i] || p[i + 1] || p[i + 2]) return true; }"
                        + "return false;"));
        screenshot("console-vnc");
    }

    @Test
    @Order(3)
    void leavingTheConsoleClosesTheRelayOnBothNodes() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems/" + ID);
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-system='" + ID + "']")));
        try (ApiClient api = w.client()) {
            Eventually.await(UI_LIMIT, () -> api.call("framework", "status", Json.object()).toString().contains("0 consoles"),
                    "node w relays no console once the page is left");
        }
    }

    /**
     * A guest whose VMM stops answering its monitor (its qemu stopped with SIGSTOP, as one stuck on
     * its storage) is marked in the systems list and on its page, from k's meta synced to w; the
     * mark goes once the VMM answers again (SIGCONT).
     */
    @Test
    @Order(4)
    void aGuestWhoseVmmHangsIsMarkedAndTheMarkGoesOnceItAnswers() throws Exception {
        long pid;
        try (ApiClient api = k.client()) {
            pid = HostLibvirt.systemReport(api, "meta", ID, "k").path("vmm").path("pid").asLong(-1);
        }
        assertThat(pid).as("the VMM's pid in k's meta of %s", ID).isPositive();
        By mark = By.cssSelector("[data-system='" + ID + "'] [data-vmm='unresponsive']");
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-system='" + ID + "']")));
        assertThat(browser.findElements(mark)).as("no mark while the VMM answers").isEmpty();

        signal("STOP", pid);
        try {
            await(ExpectedConditions.visibilityOfElementLocated(mark));
            browser.get("http://127.0.0.1:" + httpPort + "/#/systems/" + ID);
            assertThat(await(ExpectedConditions.visibilityOfElementLocated(mark)).getText()).isEqualTo("VMM unresponsive");
            screenshot("system-vmm-unresponsive");
        } finally {
            signal("CONT", pid);
        }
        await(ExpectedConditions.invisibilityOfElementLocated(mark));
    }

    private static void signal(String name, long pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", name, pid).isTrue();
    }

    /**
     * Waits for {@code condition} in the browser; on a timeout the failure carries what both nodes
     * logged about the system and their tasks, and the page is kept as a screenshot, so a red run
     * says whether the system, its sync to w or the page is what never came.
     */
    private static <T> T await(java.util.function.Function<? super WebDriver, T> condition) {
        try {
            return new WebDriverWait(browser, UI_LIMIT).ignoring(StaleElementReferenceException.class).until(condition);
        } catch (org.openqa.selenium.TimeoutException e) {
            try {
                screenshot("console-timeout-" + System.currentTimeMillis());
            } catch (IOException | RuntimeException shot) {
                e.addSuppressed(shot);
            }
            throw new AssertionError(e.getMessage().lines().findFirst().orElse("timed out") + "\n" + k.storyOf(ID) + w.storyOf(ID), e);
        }
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static CliResult cli(NodeProcess node, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        if (!args[0].equals("cluster")) {
            all.addAll(List.of("--socket", node.socket().toString(), "--api-key", node.adminKey()));
        }
        return AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + node.dataDir(), "-Dacp.node.id=" + node.id()), CLI_LIMIT,
                all.toArray(String[]::new));
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }
}
