package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.client.ApiClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
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
 * The create and delete forms of the Networks and Storage pages in real Chromium against a real
 * node (storage service, no network service: a network is then only stored, no host bridge is
 * made). A pool and a network are created through their forms, found in the CDB through the API,
 * and deleted through their Delete buttons; a name the browser lets through but the node refuses
 * shows the node's rule in the form, for the pool, share and network forms, and creates nothing.
 * The node also runs the hypervisor (libvirt's test driver) for a backup whose task's progress the
 * Tasks page follows to done, and for a running system that the Systems page deletes only once told
 * to stop it. Run under {@code flock /tmp/acp-browser.lock}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiFormsIT {

    private static final Path SHOTS = Path.of("target", "webui-screenshots");
    private static final Duration UI_LIMIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static NodeProcess node;
    static int httpPort;
    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(SHOTS);
        Files.createDirectories(dir.resolve("roots"));
        httpPort = freeTcpPort();
        node = NodeProcess.start("f", dir, List.of(), List.of("-Xmx192m", "-Dacp.node.services=cluster,api,storage,hypervisor,webapi",
                "-Dacp.webapi.port=" + httpPort, "-Dacp.storage.allowed-roots=" + dir.resolve("roots"),
                "-Dacp.storage.mount-dir=" + dir.resolve("shares"), "-Dacp.storage.lvm.activation=false", "-Dacp.cluster.journal.fsync=false"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.get("http://127.0.0.1:" + httpPort + "/#/storage");
        WebElement login = await(ExpectedConditions.visibilityOfElementLocated(By.id("login")));
        login.findElement(By.name("key")).sendKeys(node.adminKey());
        login.findElement(By.cssSelector("button[type=submit]")).click();
        await(ExpectedConditions.attributeToBe(By.id("connection"), "data-state", "online"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    @Order(1)
    void aPoolIsCreatedAndDeletedThroughItsForm() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/storage");
        fill("create-pool", "id", "uipool");
        submit("create-pool");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-object='storage/uipool']")));
        try (ApiClient api = node.client()) {
            assertThat(api.call("cluster", "get", Json.object().put("type", "storage").put("id", "uipool")).path("subtype").asText())
                    .isEqualTo("pool");
        }
        assertThat(node.dataDir().resolve("pools/uipool")).isDirectory();
        screenshot("forms-pool-created");

        deleteThroughTheUi("storage/uipool");
        try (ApiClient api = node.client()) {
            assertNotFound(api, "storage", "uipool");
        }
    }

    @Test
    @Order(2)
    void aNetworkIsCreatedAndDeletedThroughItsForm() throws Exception {
        browser.get("http://127.0.0.1:" + httpPort + "/#/networks");
        fill("create-network", "id", "uinet");
        fill("create-network", "uplink", "eth9");
        fill("create-network", "vlan", "100");
        submit("create-network");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-object='network/uinet']")));
        try (ApiClient api = node.client()) {
            assertThat(api.call("cluster", "get", Json.object().put("type", "network").put("id", "uinet")).path("spec").path("vlan").asInt())
                    .isEqualTo(100);
        }
        screenshot("forms-network-created");
        deleteThroughTheUi("network/uinet");
        try (ApiClient api = node.client()) {
            assertNotFound(api, "network", "uinet");
        }
    }

    @Test
    @Order(3)
    void aNameTheNodeRefusesShowsItsRuleInTheFormAndCreatesNothing() throws Exception {
        // ".hidden" passes the browser's pattern; the node refuses ids starting with '.' (ObjectKey).
        browser.get("http://127.0.0.1:" + httpPort + "/#/storage");
        fill("create-pool", "id", ".hidden");
        submit("create-pool");
        assertThat(formError("create-pool")).contains("starts with '.'");
        fill("create-share", "id", ".hidden");
        fill("create-share", "source", "10.0.0.5:/export/vm");
        submit("create-share");
        assertThat(formError("create-share")).contains("starts with '.'");
        screenshot("forms-refused-name");

        browser.get("http://127.0.0.1:" + httpPort + "/#/networks");
        fill("create-network", "id", ".hidden");
        fill("create-network", "uplink", "eth9");
        fill("create-network", "vlan", "100");
        submit("create-network");
        assertThat(formError("create-network")).contains("starts with '.'");
        try (ApiClient api = node.client()) {
            for (String type : List.of("storage", "network")) {
                assertThat(api.call("cluster", "list", Json.object().put("type", type)).toString()).doesNotContain(".hidden");
            }
        }
    }

    /**
     * A real backup copy (a stopped system's 48 MiB volume into a pool) reports its bytes into its
     * task: the Tasks page, recording every progress it draws for the task, shows it while it runs
     * and ends with the bar full, the task ok.
     */
    @Test
    @Order(4)
    void aBackupsProgressIsFollowedOnTheTasksPageToDone() throws Exception {
        try (ApiClient api = node.client()) {
            ObjectNode pool = Json.object().put("id", "bkpool");
            pool.putObject("spec").put("kind", "dir");
            api.call("storage", "pool.create", pool);
            await(d -> {
                try {
                    return "ok".equals(api.call("cluster", "meta", Json.object().put("type", "storage").put("id", "bkpool")).path(0).path("values")
                            .path("state").asText()) ? true : null;
                } catch (Exception notYet) {
                    return null;
                }
            });
            Path volume = Path.of(api.call("storage", "volume.create", Json.object().put("pool", "bkpool").put("name", "db.raw")
                    .put("size", "48M").put("format", "raw")).path("path").asText());
            byte[] block = new byte[1 << 20];
            new java.util.Random(3).nextBytes(block);
            try (java.io.OutputStream out = Files.newOutputStream(volume)) {
                for (int i = 0; i < 48; i++) {
                    out.write(block); // what a disk holds, not a sparse file
                }
            }
            ObjectNode spec = Json.object().put("vcpus", 1).put("memory", 64);
            spec.putArray("disks").addObject().put("pool", "bkpool").put("volume", "db.raw").put("format", "raw");
            ObjectNode create = Json.object().put("id", "bk1");
            create.set("spec", spec);
            api.call("hypervisor", "create", create);
        }
        browser.get("http://127.0.0.1:" + httpPort + "/#/tasks");
        await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("table[data-testid=tasks]")));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                window.seenProgress = [];
                const look = () => document.querySelectorAll('tr[data-task]').forEach(tr => {
                  const op = tr.querySelector('code'); const p = tr.querySelector('[data-testid=task-progress]');
                  if (op && op.textContent === 'hypervisor.backup' && p) {
                    const seen = p.dataset.percent + ' ' + p.dataset.phase;
                    if (window.seenProgress[window.seenProgress.length - 1] !== seen) { window.seenProgress.push(seen); }
                  }
                });
                new MutationObserver(look).observe(document.querySelector('main'), {childList: true, subtree: true});
                """);
        java.util.concurrent.CompletableFuture<com.fasterxml.jackson.databind.JsonNode> backup = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (ApiClient api = node.client()) {
                return api.call("hypervisor", "backup", Json.object().put("id", "bk1").put("to", "bkpool"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        WebElement bar = await(ExpectedConditions.visibilityOfElementLocated(By.xpath(
                "//table[@data-testid='tasks']//tr[td/code[text()='hypervisor.backup'] and td[text()='system/bk1']]"
                        + "//*[@data-testid='task-progress' and @data-percent='100' and @data-phase='done']")));
        assertThat(backup.get(60, TimeUnit.SECONDS).path("complete").asBoolean()).isTrue();
        WebElement row = bar.findElement(By.xpath("ancestor::tr"));
        assertThat(row.getText()).contains("ok").contains("48 MiB of 48 MiB");
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("return window.seenProgress;");
        assertThat(seen).as("drawn while it ran, then done: %s", seen).last().isEqualTo("100 done");
        assertThat(seen).as("drawn while it ran, then done: %s", seen).anyMatch(p -> p.matches("\\d{1,2} copying disk vda"));
        screenshot("forms-task-progress");
    }

    /**
     * A running system's Delete button asks whether to stop it first; dismissed, the system runs on,
     * and accepted, the page sends force and the system is gone.
     */
    @Test
    @Order(5)
    void aRunningSystemIsDeletedOnlyOnceThePageWasToldToStopIt() throws Exception {
        try (ApiClient api = node.client()) {
            ObjectNode create = Json.object().put("id", "uivm").put("start", true);
            create.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
            assertThat(api.call("hypervisor", "create", create).path("state").asText()).isEqualTo("running");
        }
        browser.get("http://127.0.0.1:" + httpPort + "/#/systems");
        By delete = By.cssSelector("tr[data-system='uivm'][data-state='running'] [data-action=delete]");
        clickWhenClickable(delete);
        org.openqa.selenium.Alert asked = await(ExpectedConditions.alertIsPresent());
        assertThat(asked.getText()).isEqualTo("System uivm is running. Stop it at once and delete it?");
        asked.dismiss();
        try (ApiClient api = node.client()) {
            assertThat(api.call("hypervisor", "show", Json.object().put("id", "uivm")).path("meta").path("state").asText())
                    .as("dismissed: nothing was sent").isEqualTo("running");
        }

        clickWhenClickable(delete);
        await(ExpectedConditions.alertIsPresent()).accept();
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("tr[data-system='uivm']")));
        try (ApiClient api = node.client()) {
            assertNotFound(api, "system", "uivm");
        }
        screenshot("forms-running-system-deleted");
    }

    private static void fill(String form, String field, String value) {
        WebElement input = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-testid=" + form + "] [name=" + field + "]")));
        input.clear();
        input.sendKeys(value);
    }

    private static void submit(String form) {
        browser.findElement(By.cssSelector("[data-testid=" + form + "] button[type=submit]")).click();
    }

    private static String formError(String form) {
        By error = By.cssSelector("[data-testid=" + form + "] [data-testid=form-error]");
        await(d -> !d.findElement(error).getText().isEmpty());
        return browser.findElement(error).getText();
    }

    private static void deleteThroughTheUi(String object) {
        await(d -> {
            d.findElement(By.cssSelector("[data-object='" + object + "'] [data-action=delete]")).click();
            return true;
        });
        await(ExpectedConditions.alertIsPresent()).accept();
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("[data-object='" + object + "']")));
    }

    private static void assertNotFound(ApiClient api, String type, String id) {
        try {
            api.call("cluster", "get", Json.object().put("type", type).put("id", id));
            throw new AssertionError(type + "/" + id + " still exists");
        } catch (AcpException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        }
    }

    /**
     * Finds and clicks in one step of the wait: the systems table is redrawn as live state arrives,
     * so an element found a moment before the click may be gone by then (stale), and is found again.
     */
    private static void clickWhenClickable(By target) {
        await(d -> {
            WebElement e = ExpectedConditions.elementToBeClickable(target).apply(d);
            if (e == null) {
                return false;
            }
            e.click();
            return true;
        });
    }

    private static <T> T await(java.util.function.Function<? super WebDriver, T> condition) {
        return new WebDriverWait(browser, UI_LIMIT).ignoring(StaleElementReferenceException.class).until(condition);
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
