package io.distillguard.sim.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.NoisyOrScorer;
import io.distillguard.core.detect.Signal;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.eval.EvalReport.BenignResult;
import io.distillguard.sim.eval.EvalReport.CampaignResult;
import io.distillguard.sim.eval.EvalReport.RunReport;
import io.distillguard.sim.run.SyntheticAnswers;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end, in-process, on the shipped smoke scenario: report files, sections and consistent numbers. */
class EvaluationTest {
  static final Path SMOKE = Path.of("..", "scenarios", "smoke.yaml");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** A toy detector for the tests: share of an account's prompts that ask for reasoning, after 20 exchanges. */
  record ReasoningShare() implements Detector<long[]> {
    @Override
    public String name() {
      return "test-reasoning-share";
    }

    @Override
    public long[] newState() {
      return new long[2];
    }

    @Override
    public void observe(long[] s, Exchange e) {
      s[0]++;
      if (SyntheticAnswers.elicitsReasoning(e.userText())) {
        s[1]++;
      }
    }

    @Override
    public Signal evaluate(long[] s) {
      if (s[0] < 20) {
        return Signal.none(name(), s[0]);
      }
      return new Signal(name(), s[1] / (double) s[0], s[0], "share of reasoning prompts");
    }
  }

  static DetectorSet testSet() {
    DetectorSet b = DetectorSet.baseline();
    DetectorSet reasoning = new DetectorSet("reasoning-share", "test", List.of(new ReasoningShare()),
        new NoisyOrScorer(Map.of(), 1.0), b.policy());
    return DetectorSet.combine("test-set", List.of(b, reasoning));
  }

  static Scenario smoke() {
    assumeTrue(Files.isRegularFile(SMOKE), "scenarios/smoke.yaml not found from " + Path.of("").toAbsolutePath());
    return ScenarioLoader.load(SMOKE);
  }

  @Test
  void smokeWithFixturesWritesAConsistentReport() throws Exception {
    Scenario s = smoke();
    EvalReport report = Evaluation.evaluate(s, DataSets.fixtures(), testSet(),
        Evaluation.Options.defaults().withAblation(true));

    assertThat(report.primary()).isEqualTo("test-set");
    assertThat(report.baseline()).isEqualTo("baseline");
    assertThat(report.ablation()).containsExactly("test-set[volume-threshold]", "test-set[test-reasoning-share]");
    assertThat(report.runs()).hasSize(4);
    for (RunReport r : report.runs()) {
      assertConsistent(s, r);
    }
    // The toy reasoning detector catches the reasoning campaign, which the volume baseline misses.
    assertThat(report.primaryRun().campaign("reasoning-1").detected()).isTrue();
    assertThat(report.run("baseline").campaign("reasoning-1").detected()).isFalse();
    assertThat(report.run("test-set[volume-threshold]").campaign("reasoning-1").detected()).isFalse();

    List<Path> files = ReportWriter.write(report, dir);
    assertThat(files.get(0)).isEqualTo(dir.resolve("report.md"));
    assertThat(files.get(1)).isEqualTo(dir.resolve("report.json"));
    for (String set : List.of("test-set", "baseline")) {
      for (String chart : List.of("risk-over-time-", "harvest-before-block-")) {
        Path png = dir.resolve("charts").resolve(chart + set + ".png");
        Path svg = dir.resolve("charts").resolve(chart + set + ".svg");
        assertThat(png).isRegularFile();
        byte[] head = Files.readAllBytes(png);
        assertThat(head).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        assertThat(Files.readString(svg)).startsWith("<?xml").contains("<svg");
      }
    }
    String md = Files.readString(dir.resolve("report.md"));
    assertThat(md).contains("# DistillGuard evaluation: smoke", "## Summary", "## Campaigns: test-set",
        "## Campaigns: baseline", "## Benign accounts (false positives): test-set", "## Detectors", "## Ablation",
        "## Harvest before block per account", "## Charts", "## Runs", "naive-1", "reasoning-1",
        "charts/risk-over-time-test-set.png", "charts/harvest-before-block-baseline.svg");
    // No prompt text in the report: only ids and numbers.
    assertThat(md).doesNotContainIgnoringCase("step by step");

    JsonNode json = JSON.readTree(dir.resolve("report.json").toFile());
    assertThat(json.path("runs")).hasSize(4);
    assertThat(json.path("scenario").path("name").asText()).isEqualTo("smoke");
    JsonNode first = json.path("runs").get(0);
    assertThat(first.path("campaigns")).hasSize(2);
    assertThat(first.path("campaigns").get(0).path("harvestedBeforeBlock").isIntegralNumber()).isTrue();
    assertThat(first.path("risk").path("classes").has("campaign naive-1")).isTrue();
    assertThat(first.path("performance").path("eventsPerCpuSecond").isNumber()).isTrue();
  }

  /** Numbers every run must satisfy whatever the detectors do. */
  static void assertConsistent(Scenario s, RunReport r) {
    assertThat(r.campaigns()).extracting(CampaignResult::id)
        .containsExactlyElementsOf(s.campaigns().stream().map(c -> c.id()).toList());
    EvalReport.Traffic t = r.traffic();
    assertThat(t.exchanges()).isPositive();
    assertThat(t.served() + t.refusedByEnforcement() + t.refusedByLimits()).isEqualTo(t.exchanges());
    long byClass = 0;
    for (CampaignResult c : r.campaigns()) {
      assertThat(c.accounts()).isPositive();
      assertThat(c.harvested()).isBetween(0L, c.attackSent());
      assertThat(c.harvestedBeforeThrottle()).isBetween(0L, c.harvestedBeforeBlock());
      assertThat(c.harvestedBeforeBlock()).isBetween(0L, c.harvested());
      assertThat(c.accountsThrottledFraction()).isBetween(0.0, 1.0);
      assertThat(c.accountsBlockedFraction()).isBetween(0.0, c.accountsThrottledFraction());
      assertThat(c.distinctPromptsHarvested()).isBetween(0L, c.harvested());
      if (c.promptSetFractionHarvested() != null) {
        assertThat(c.promptSetFractionHarvested()).isBetween(0.0, 1.0);
      }
      assertThat(c.detected()).isEqualTo(c.secondsToDetection() != null);
      if (c.detected()) {
        assertThat(c.secondsToDetection()).isGreaterThanOrEqualTo(c.secondsToWatch()).isNotNegative();
      }
      if (c.secondsToBlock() != null) {
        assertThat(c.secondsToBlock()).isGreaterThanOrEqualTo(c.secondsToDetection());
      }
      List<Long> perAccount = r.harvestBeforeBlock().get(c.id());
      assertThat(perAccount).hasSize(c.accounts()).isSorted();
      assertThat(perAccount.stream().mapToLong(Long::longValue).sum()).isBetween(c.harvestedBeforeBlock(),
          c.harvested());
      assertThat(c.nonAttackRefusedByEnforcement()).isBetween(0L, c.nonAttackSent());
      byClass += c.attackSent() + c.nonAttackSent();
    }
    BenignResult ordinary = r.benign("ordinary");
    BenignResult heavy = r.benign("heavy");
    assertThat(ordinary.accounts()).isPositive();
    for (BenignResult b : r.benign()) {
      for (double rate : new double[] {b.watchRate(), b.throttleRate(), b.degradeRate(), b.blockRate()}) {
        assertThat(rate).isBetween(0.0, 1.0);
      }
      assertThat(b.atWatch()).isGreaterThanOrEqualTo(b.atThrottle());
      assertThat(b.atThrottle()).isGreaterThanOrEqualTo(b.atDegrade());
      assertThat(b.atDegrade()).isGreaterThanOrEqualTo(b.blocked());
      assertThat(b.refusedByEnforcement() + b.refusedByLimits()).isLessThanOrEqualTo(b.exchanges());
    }
    int groups = r.benign().stream().filter(b -> b.group().startsWith("heavy/"))
        .mapToInt(BenignResult::accounts).sum();
    assertThat(groups).isEqualTo(heavy.accounts());
    byClass += ordinary.exchanges() + heavy.exchanges();
    assertThat(byClass).isEqualTo(t.exchanges());
    assertThat(t.accounts()).isEqualTo(ordinary.accounts() + heavy.accounts()
        + r.campaigns().stream().mapToInt(CampaignResult::accounts).sum());
    EvalReport.RiskSeries risk = r.risk();
    assertThat(risk.times()).isNotEmpty();
    for (EvalReport.ClassSeries c : risk.classes().values()) {
      assertThat(c.median()).hasSameSizeAs(risk.times());
      for (int i = 0; i < c.median().size(); i++) {
        if (c.median().get(i) != null) {
          assertThat(c.median().get(i)).isBetween(0.0, c.p90().get(i));
          assertThat(c.p90().get(i)).isLessThanOrEqualTo(1.0);
        }
      }
    }
  }

  @Test
  void sameSeedSameReport() throws Exception {
    Scenario s = smoke();
    Evaluation.Options o = Evaluation.Options.defaults();
    EvalReport a = Evaluation.evaluate(s, DataSets.fixtures(), DetectorSet.baseline(), o);
    EvalReport b = Evaluation.evaluate(s, DataSets.fixtures(), DetectorSet.baseline(), o);
    assertThat(a.runs()).hasSize(1);
    assertThat(withoutPerformance(a)).isEqualTo(withoutPerformance(b));
    EvalReport other = Evaluation.evaluate(s.withSeed(s.seed() + 1), DataSets.fixtures(), DetectorSet.baseline(), o);
    assertThat(withoutPerformance(other)).isNotEqualTo(withoutPerformance(a));
  }

  static JsonNode withoutPerformance(EvalReport r) throws Exception {
    JsonNode n = JSON.readTree(ReportWriter.json(r));
    for (JsonNode run : n.path("runs")) {
      ((ObjectNode) run).remove("performance");
    }
    return n;
  }

  @Test
  void stringsFromScenarioFilesAreEscapedInMarkdown() {
    EvalReport.ScenarioInfo info = new EvalReport.ScenarioInfo("evil|<script>`x`", "line1\n# not a heading",
        "a_b*.yaml", 1, null, null, Map.of());
    RunReport run = new RunReport(new EvalReport.DetectorInfo("set<b>", "d|e", List.of("det`1")),
        new EvalReport.Traffic(0, 0, 0, 0, 0, 0, 0, null, null), new EvalReport.Performance(0, 0, 0, 0, 0, 0, 0, 0),
        List.of(new CampaignResult("c|<img src=x>", "naive", 1, null, false, null, null, null, null, null, null, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, 0)),
        List.of(new BenignResult("ordinary", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            new BenignResult("heavy", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
        new EvalReport.Collateral(0, 0), List.of(), new EvalReport.RiskSeries(List.of(), Map.of()), Map.of());
    String md = ReportWriter.markdown(new EvalReport(info, "set<b>", null, List.of(), List.of(run)), Map.of());
    assertThat(md).contains("| naive |");
    assertThat(md).contains("evil\\|&lt;script&gt;\\`x\\`", "c\\|&lt;img src=x&gt;", "set&lt;b&gt;",
        "line1 \\# not a heading", "det\\`1");
    assertThat(md).doesNotContain("<script>", "<img", "<b>");
    for (String line : md.split("\n")) {
      if (line.startsWith("| c") && line.contains("| naive |")) {
        // Same number of unescaped cell separators as the header of the campaigns table.
        assertThat(line.replace("\\|", "").chars().filter(ch -> ch == '|').count()).isEqualTo(14);
      }
    }
  }

  @Test
  void smokeOnTheRealDataWhenPresent() throws Exception {
    String prop = System.getProperty(DataSets.PROPERTY);
    Path data = prop == null ? null : Path.of(prop);
    assumeTrue(data != null && Files.isDirectory(data),
        "skipped: public datasets not found (system property " + DataSets.PROPERTY + " = " + prop
            + "); they live in ../shared/data on development and CI machines");
    Scenario s = smoke();
    EvalReport report = Evaluation.evaluate(s, DataSets.load(data), DetectorSet.baseline(),
        Evaluation.Options.defaults());
    RunReport r = report.primaryRun();
    assertConsistent(s, r);
    // The baseline's threshold is far above the smoke campaigns' volumes: it misses them both.
    assertThat(r.campaigns()).noneMatch(CampaignResult::detected);
    assertThat(r.benign("ordinary").throttleRate()).isZero();
    ReportWriter.write(report, dir);
    try (Stream<Path> charts = Files.list(dir.resolve("charts"))) {
      assertThat(charts.count()).isEqualTo(4);
    }
  }
}
