package io.distillguard.sim.eval.linkage;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.detect.DetectorSet;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.run.InProcessRunner;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small hydra among customers, in-process with linkage: linked, blocked as a cluster, customers untouched. */
class LinkageEvaluationTest {
  static final String SCENARIO = """
      name: "hydra <b>|small"
      description: a small hydra for the linkage evaluation test
      seed: 77
      start: 2025-03-03T00:00:00Z
      duration: 2d
      data:
        split: tuning
      population:
        accounts: 300
      campaigns:
        - id: hydra
          strategy: hydra
          start: 6h
          accounts: 40
          replacements: 5
          params: {batch_size: 20, batch_interval: 6h, per_account_per_day: 8}
      """;

  @Test
  void aSmallHydraIsLinkedAndBlockedAsACluster(@TempDir Path dir) throws Exception {
    Scenario s = ScenarioLoader.parse(SCENARIO, "test.yaml");
    LinkageEvaluation.Result r = LinkageEvaluation.evaluate(s, DataSets.load(null), DetectorSet.named("default"),
        InProcessRunner.Options.defaults(), LinkageConfig.defaults(), Duration.ofMinutes(15));
    LinkageReport.CampaignLinkage c = r.linkage().campaigns().get(0);
    assertThat(c.linkedShare()).isGreaterThanOrEqualTo(0.95);
    assertThat(c.clusterLevel()).isEqualTo("block");
    // The built-in fixtures' prompt set is small, so shares of it say little here; counts do.
    assertThat(c.clusterBlockedAt()).isNotNull();
    assertThat(c.attackServedAfterBlock()).as("about one answer per account opened after the block")
        .isLessThanOrEqualTo(c.accounts());
    assertThat(r.linkage().benign().inAttackClusters()).isZero();
    assertThat(r.linkage().benign().restrictedByLinkage()).isZero();
    assertThat(r.run().campaign("hydra").harvested()).isLessThan(c.promptsTotal() + 1);

    List<Path> files = LinkageReportWriter.write(r.linkage(), dir);
    String md = Files.readString(files.get(0));
    assertThat(md).contains("hydra &lt;b&gt;\\|small").doesNotContain("<b>");
    assertThat(Files.readString(files.get(1))).contains("\"linkedShare\"");
    assertThat(LinkageReportWriter.console(r.linkage())).contains("linked");
  }
}
