package io.distillguard.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.APIResponse;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.SameSiteAttribute;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.Alert;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.store.AlertLog;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.ReviewLog;
import io.distillguard.ui.cases.CaseFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The dashboard in a real browser (Debian's Chromium driven by Playwright; no browser is ever downloaded) against a
 * real gateway that real traffic went through: a harvesting account detection flagged, an ordinary customer, a
 * small coordinated group, and an account whose name, attributes, prompts and user agents carry HTML, script,
 * {@code javascript:} and CSS payloads. Every page is screenshotted to {@code target/e2e/}. Each step waits for
 * what it needs to see; nothing sleeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path ARTIFACTS = Path.of("target", "e2e");
  static final List<String> CHROMIUM_ARGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");
  static final String HARVESTER = "harvest-01";
  static final String CUSTOMER = "acme-prod";
  static final String MALLORY = "mallory";
  static final String EVIL_NAME = "<img src=x onerror=\"window.__pwned='name'\">";
  static final String EVIL_COUNTRY = "<script>window.__pwned='country'</script>";
  static final String EVIL_PAYMENT = "javascript:window.__pwned='payment'";
  static final String EVIL_UA = "Mozilla/5.0 <script>window.__pwned='ua'</script><img src=x onerror=window.__pwned=1>";
  static final List<String> EVIL_PROMPTS = List.of(
      "<script>window.__pwned='prompt'</script> please summarise the attached report",
      "<img src=x onerror=\"window.__pwned='img'\"> describe this picture",
      "<a href=\"javascript:window.__pwned='link'\">click me</a> is this link safe?",
      "</pre></td></style><style>body{background:rgb(255,0,0)!important}</style>"
          + "<div style=\"position:fixed;inset:0;background:red\">covered</div>",
      "\"><svg onload=\"window.__pwned='svg'\"></svg><iframe src=\"javascript:window.__pwned='frame'\"></iframe>");

  Path dir;
  DashboardFixture fx;
  Playwright playwright;
  BrowserContext context;
  Page page;
  final List<String> dialogs = new CopyOnWriteArrayList<>();
  final List<String> console = new CopyOnWriteArrayList<>();
  final List<String> pageErrors = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "browser tests need Debian's Chromium at " + CHROMIUM
        + " (apt-get install chromium); .ci/run installs it");
    dir = Files.createTempDirectory("dg-ui-test");
    Files.createDirectories(ARTIFACTS);
    fx = new DashboardFixture(dir.resolve("data"), c -> {
      c.detection.degrade = 0.999; // a throttled harvester: the outcome of every request is then certain
      c.detection.block = 0.999;
    });
    traffic();
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    context = playwright.chromium().launchPersistentContext(Files.createTempDirectory("dg-chromium-profile"),
        new BrowserType.LaunchPersistentContextOptions().setExecutablePath(CHROMIUM).setHeadless(true)
            .setArgs(CHROMIUM_ARGS).setAcceptDownloads(true).setViewportSize(1440, 1000));
    context.setDefaultTimeout(30_000);
    // Generous, because CI machines are slow; a wait ends as soon as its condition holds.
    com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
    page = context.pages().isEmpty() ? context.newPage() : context.pages().get(0);
    page.onDialog(d -> {
      dialogs.add(d.message());
      d.dismiss();
    });
    page.onConsoleMessage(m -> console.add(m.type() + ": " + m.text()));
    page.onPageError(e -> pageErrors.add(e));
  }

  /** Real traffic through the real gateway, on a replayed clock. */
  private void traffic() throws Exception {
    String h = fx.account(HARVESTER, "Lesson Plans Ltd", "tier", "default", "country", "SG",
        "payment_fingerprint", "pf_lessons");
    for (int i = 0; i < 400; i++) {
      fx.chat(h, DashboardFixture.harvestPrompt(i), DashboardFixture.T0.plusSeconds(8L * i), "python-requests/2.31",
          "198.51.100.23");
    }
    String c = fx.account(CUSTOMER, "Acme (production)", "tier", "default", "country", "DE");
    for (int i = 0; i < 30; i++) {
      fx.chat(c, "How do I keep my " + (i % 2 == 0 ? "basil" : "mint") + " plant alive on a windowsill?",
          DashboardFixture.T0.plusSeconds(600L * i), "AcmeApp/3.2 (iOS)", "203.0.113.10");
    }
    for (int m = 1; m <= 4; m++) {
      String k = fx.account("hydra-" + m, "Hydra " + m, "tier", "default", "country", "VN",
          "payment_fingerprint", "pf_hydra_shared", "signup_ip", "192.0.2." + (10 + m), "email_domain", "mail.example");
      for (int i = 0; i < 60; i++) {
        fx.chat(k, DashboardFixture.harvestPrompt(i * 7 + m), DashboardFixture.T0.plusSeconds(30L * i + m),
            "python-requests/2.31", "192.0.2." + (10 + m));
      }
    }
    String evil = fx.account(MALLORY, EVIL_NAME, "tier", "default", "country", EVIL_COUNTRY,
        "payment_fingerprint", EVIL_PAYMENT);
    for (int i = 0; i < 20; i++) {
      fx.chat(evil, EVIL_PROMPTS.get(i % EVIL_PROMPTS.size()), DashboardFixture.T0.plusSeconds(45L * i), EVIL_UA,
          "203.0.113.66");
    }
    // What './distillguard probe --out <data-dir>/probes/run-1' leaves behind when a suspect model carries the
    // harvester's watermark (the shape of provenance's evidence.json).
    Path probe = fx.dataDir.resolve("probes").resolve("run-1");
    Files.createDirectories(probe);
    Files.writeString(probe.resolve("evidence.json"), "{\"title\": \"Probe of suspect-model\", "
        + "\"generated_at\": \"2026-01-06T10:00:00Z\", \"method\": {\"test\": \"one-sided exact tail\"}, "
        + "\"counts\": {\"texts\": 1000, \"words\": 181234}, \"top_keys\": [{\"key\": \"account:" + HARVESTER
        + "\", \"scope\": \"account\", \"id\": \"" + HARVESTER + "\", \"events\": 5210, \"hits\": 3301, "
        + "\"z\": 19.4, \"log10_p\": -16.2, \"log10_p_adjusted\": -13.2}, {\"key\": \"account:someone-else\", "
        + "\"id\": \"someone-else\", \"events\": 5210, \"hits\": 2620, \"z\": 0.3}], \"verdict\": "
        + "\"The suspect's outputs carry the watermark of account " + HARVESTER + " (adjusted p 6e-14).\", "
        + "\"reproduce\": \"distillguard probe --target http://suspect/v1\"}");
    fx.settle();
    DashboardFixture.await("the harvester is flagged", Duration.ofSeconds(20), () -> fx.store.accounts()
        .find(HARVESTER).orElseThrow().status().compareTo(AccountStatus.THROTTLED) >= 0);
    DashboardFixture.await("its alerts are recorded", Duration.ofSeconds(20), () -> !fx.store.alerts()
        .list(new AlertLog.Query(HARVESTER, Set.of(RiskLevel.THROTTLE), null, null, null, 1)).isEmpty());
    if (fx.gateway.linkage() != null) {
      fx.gateway.linkage().drain(Duration.ofSeconds(30));
      fx.gateway.linkage().recomputeNow().get(60, TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void nothingRanThatShouldNot() {
    if (page == null) {
      return;
    }
    console.forEach(m -> System.out.println("browser console: " + m));
    pageErrors.forEach(m -> System.out.println("browser error: " + m));
    assertThat(dialogs).as("no alert/confirm/prompt dialog ever opened").isEmpty();
    assertThat(pageErrors).as("no script error on any page").isEmpty();
    assertThat(console).as("no Content-Security-Policy violation: nothing inline was even attempted")
        .noneMatch(m -> m.contains("Content Security Policy") || m.contains("Refused to"));
    assertThat((Boolean) page.evaluate("() => window.__pwned === undefined")).as("no payload executed").isTrue();
  }

  @AfterAll
  void stop() {
    if (context != null) {
      context.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    if (fx != null) {
      fx.close();
    }
  }

  private void shot(String name) {
    page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve(name + ".png")).setFullPage(true));
  }

  private void go(String hash) {
    page.navigate(fx.adminUrl() + "/ui/" + hash);
  }

  @Test
  @Order(1)
  void signInRefusesAWrongTokenThenOpensTheDashboard() {
    page.navigate(fx.adminUrl() + "/ui/");
    page.waitForURL("**/ui/login");
    page.fill("#token", "not-the-token");
    page.click("#login-submit");
    assertThat(page.locator("#login-error")).hasText("That token is not the admin token.");
    shot("01-login");
    page.fill("#token", DashboardFixture.TOKEN);
    page.fill("#analyst", "alice");
    page.click("#login-submit");
    page.waitForURL("**/ui/");
    assertThat(page.locator("#who")).hasText("analyst:alice");
    Cookie session = context.cookies().stream().filter(k -> k.name.equals(Dashboard.COOKIE)).findFirst()
        .orElseThrow();
    assertThat(session.httpOnly).isTrue();
    assertThat(session.sameSite).isEqualTo(SameSiteAttribute.STRICT);
  }

  @Test
  @Order(2)
  void overviewShowsTrafficLevelsClustersAndAlerts() {
    go("#/overview");
    assertThat(page.locator("#kpis")).containsText("Accounts");
    assertThat(page.locator("#kpis .kpi").first()).containsText("7");
    assertThat(page.locator("#chart-traffic")).isVisible();
    assertThat(page.locator("#chart-levels")).isVisible();
    assertThat(page.locator("#top-accounts")).containsText(HARVESTER);
    page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('chart-traffic'))");
    shot("02-overview");
  }

  @Test
  @Order(3)
  void accountsTableFiltersSortsAndPagesOnTheServer() {
    go("#/accounts?status=throttled");
    assertThat(page.locator("#accounts-table tbody tr[data-account='" + HARVESTER + "']")).isVisible();
    assertThat(page.locator("#accounts-table tbody tr[data-account='" + CUSTOMER + "']")).hasCount(0);
    go("#/accounts?size=3&sort=id&dir=asc");
    assertThat(page.locator("#page-info")).hasText("Page 1 of 3 · 7 accounts");
    assertThat(page.locator("#accounts-table tbody tr").first()).hasAttribute("data-account", CUSTOMER);
    page.click("#page-next");
    assertThat(page.locator("#page-info")).containsText("Page 2 of 3");
    page.click("#accounts-table th[data-sort='exchanges']");
    assertThat(page.locator("#accounts-table tbody tr").first()).hasAttribute("data-account", HARVESTER);
    shot("03-accounts");
  }

  @Test
  @Order(4)
  void drillIntoTheFlaggedAccount() {
    go("#/accounts?q=harvest");
    page.click("#accounts-table a.acct");
    assertThat(page.locator("#account-title")).containsText(HARVESTER);
    assertThat(page.locator("#reasons tbody tr").first()).isVisible();
    assertThat(page.locator("#reasons")).containsText("templates");
    assertThat(page.locator("#templates tbody tr").first()).containsText("for lesson #");
    assertThat(page.locator("#samples .sample").first()).containsText("python-requests/2.31");
    assertThat(page.locator("#timeline")).containsText("account.status");
    assertThat(page.locator("#probes .verdict")).containsText("carry the watermark of account " + HARVESTER);
    assertThat(page.locator("#probes")).not().containsText("someone-else");
    assertThat(page.locator("#chart-history")).isVisible();
    page.waitForFunction("() => window.Chart && Chart.getChart(document.getElementById('chart-history'))");
    shot("04-account");
  }

  @Test
  @Order(5)
  void revertAnEscalationFromTheReviewQueue() {
    Alert throttle = fx.store.alerts().list(new AlertLog.Query(HARVESTER, Set.of(RiskLevel.THROTTLE), null, null,
        null, 1)).get(0);
    go("#/alerts");
    Locator row = page.locator("#alerts-table tr[data-alert='" + throttle.id() + "']");
    assertThat(row).containsText(HARVESTER);
    shot("05-review-queue");
    row.locator("input.note").fill("false positive: licensed evaluation partner");
    row.locator("button[data-action='revert']").click();
    assertThat(page.locator("#alerts-table tr[data-alert='" + throttle.id() + "']")).hasCount(0);
    AccountStatus expected = throttle.from().status();
    assertThat(fx.store.accounts().find(HARVESTER).orElseThrow().status()).isEqualTo(expected);
    assertThat(fx.gateway.enforcement().statusOf(HARVESTER)).isEqualTo(expected);
    List<AuditEntry> audit = fx.store.audit().list("account:" + HARVESTER, 20);
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("alert.revert");
      assertThat(e.actor()).isEqualTo("analyst:alice");
      assertThat(e.details()).containsEntry("note", "false positive: licensed evaluation partner");
    });
    assertThat(audit).anySatisfy(e -> {
      assertThat(e.action()).isEqualTo("account.status");
      assertThat(e.details()).containsEntry("source", "review").containsEntry("to", expected.wireName());
    });
    assertThat(fx.store.reviews().forAlerts(List.of(throttle.id())).get(throttle.id()))
        .extracting(ReviewLog.Review::decision).containsExactly(ReviewLog.Decision.REVERT);
    assertThat(fx.gateway.metrics().scrape()).contains("distillguard_detection_reverts_total 1.0");
    go("#/alerts?state=all");
    assertThat(page.locator("#alerts-table tr[data-alert='" + throttle.id() + "'] .state")).hasText("revert");
    shot("05-review-queue-after-revert");
  }

  @Test
  @Order(6)
  void exportACaseFileAndReadItsPdf() throws Exception {
    go("#/accounts/" + HARVESTER);
    page.click("#export-case");
    assertThat(page.locator("#case-written")).isVisible();
    String hash = page.locator("#case-hash").textContent();
    shot("06-case-exported");
    Download pdf = page.waitForDownload(() -> page.click("#case-pdf"));
    Path pdfFile = ARTIFACTS.resolve("case.pdf");
    pdf.saveAs(pdfFile);
    assertThat(Files.readAllBytes(pdfFile)).startsWith("%PDF".getBytes(StandardCharsets.US_ASCII));

    CaseFileLog.CaseFile recorded = fx.store.cases().list("account:" + HARVESTER, 1).get(0);
    assertThat(recorded.sha256()).isEqualTo(hash);
    assertThat(recorded.actor()).isEqualTo("analyst:alice");
    CaseFiles.Check check = CaseFiles.verify(fx.store, Path.of(recorded.path()));
    assertThat(check.problems()).isEmpty();
    assertThat(check.ok()).isTrue();
    assertThat(fx.store.audit().verify()).as("audit chain intact").isEqualTo(-1L);

    run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", pdfFile.toString(),
        ARTIFACTS.resolve("case-page").toString());
    try (var pngs = Files.list(ARTIFACTS)) {
      assertThat(pngs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("case-page"))
          .toList()).isNotEmpty();
    }
    String text = run("pdftotext", "-layout", pdfFile.toString(), "-");
    for (String section : List.of("1. Summary", "2. Risk score and reasons", "3. Score over time and activity",
        "4. Top prompt templates", "5. Sample exchanges", "6. Alerts and analyst reviews", "7. Linkage evidence",
        "8. Watermark and probe results", "9. Audit trail and integrity")) {
      assertThat(text).as("PDF section " + section).contains(section);
    }
    assertThat(text).contains(HARVESTER, "templates", "alert.revert", "Probe of suspect-model");
  }

  @Test
  @Order(7)
  void clusterPageShowsMembersAndEvidence() {
    Assumptions.assumeTrue(fx.gateway.linkage() != null && !fx.gateway.linkage().clusters().isEmpty(),
        "linkage formed no cluster from this traffic");
    go("#/clusters");
    page.locator("#clusters-table tbody a").first().click();
    assertThat(page.locator("#cluster-title")).containsText("Cluster");
    assertThat(page.locator("#member-graph circle").first()).isVisible();
    assertThat(page.locator("#edges-table tbody tr").first()).isVisible();
    shot("07-cluster");
    page.click("#export-case");
    assertThat(page.locator("#case-written")).isVisible();
    CaseFileLog.CaseFile c = fx.store.cases().list(null, 1).get(0);
    assertThat(c.subject()).startsWith("cluster:");
    try {
      assertThat(CaseFiles.verify(fx.store, Path.of(c.path())).problems()).isEmpty();
      String json = Files.readString(Path.of(c.path()).resolve("case.json"));
      assertThat(json).contains("\"edges\"", "hydra-1", "hydra-4");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(8)
  void policyPageShowsWhatIsInForce() {
    go("#/settings");
    assertThat(page.locator("#policy")).containsText("thresholds");
    assertThat(page.locator("#policy")).containsText("Limits per tier");
    shot("08-policy");
  }

  @Test
  @Order(9)
  void stateChangesNeedTheCsrfTokenAndPagesCarryAStrictPolicy() {
    go("#/overview");
    assertThat(page.locator("#kpis")).isVisible();
    Object status = page.evaluate("async () => (await fetch('/ui/api/alerts/1/review', {method: 'POST', "
        + "headers: {'Content-Type': 'application/json'}, body: JSON.stringify({decision: 'approve'})})).status");
    assertThat(((Number) status).intValue()).isEqualTo(403);
    Object viaAdmin = page.evaluate("async () => (await fetch('/ui/api/admin/v1/accounts/" + CUSTOMER
        + "/status', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify("
        + "{status: 'blocked', reason: 'forged'})})).status");
    assertThat(((Number) viaAdmin).intValue()).isEqualTo(403);
    assertThat(fx.store.accounts().find(CUSTOMER).orElseThrow().status()).isEqualTo(AccountStatus.ACTIVE);
    APIResponse r = page.request().get(fx.adminUrl() + "/ui/");
    String csp = r.headers().get("content-security-policy");
    assertThat(csp).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
        "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:");
    assertThat(r.headers().get("x-content-type-options")).isEqualTo("nosniff");
    assertThat(r.text()).doesNotContain("<script>", "style=", "http://", "https://");
  }

  @Test
  @Order(10)
  void hostileTrafficIsShownAsTextAndNeverRuns() {
    go("#/accounts/" + MALLORY);
    assertThat(page.locator("#account-name")).hasText(EVIL_NAME);
    assertThat(page.locator("#account-attributes")).containsText(EVIL_COUNTRY);
    assertThat(page.locator("#account-attributes")).containsText(EVIL_PAYMENT);
    assertThat(page.locator("#samples .ua").first()).hasText(EVIL_UA);
    for (String p : EVIL_PROMPTS) {
      assertThat(page.locator("#samples pre.prompt", new Page.LocatorOptions().setHasText(p)).first()).isVisible();
    }
    assertThat(page.locator("#templates")).containsText("<script>");
    noPayloadInTheDom();
    shot("10-injection-account");
    go("#/accounts?q=mallory");
    assertThat(page.locator("#accounts-table tbody tr[data-account='" + MALLORY + "'] td").nth(1))
        .hasText(EVIL_NAME);
    noPayloadInTheDom();
    shot("10-injection-table");
    go("#/overview");
    assertThat(page.locator("#kpis")).isVisible();
    noPayloadInTheDom();
  }

  private void noPayloadInTheDom() {
    assertThat(page.locator("img")).hasCount(0);
    assertThat(page.locator("iframe")).hasCount(0);
    assertThat(page.locator("script")).hasCount(2);
    assertThat(page.locator("style")).hasCount(0);
    assertThat(page.locator("[onerror], [onload], [onclick], [style*='red']")).hasCount(0);
    assertThat(page.locator("a[href^='javascript'], a[href^='data:']")).hasCount(0);
    assertThat((String) page.evaluate("() => getComputedStyle(document.body).backgroundColor"))
        .isNotEqualTo("rgb(255, 0, 0)");
    assertThat((Boolean) page.evaluate("() => window.__pwned === undefined")).isTrue();
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + err).isZero();
    return out;
  }

}
