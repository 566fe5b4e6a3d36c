package io.distillguard.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.detect.RiskLevel;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndicatorBundleTest {
  @Test
  void exportedIndicatorsPreScoreMatchingAccountsElsewhere() {
    LinkageEngineTest.World w = new LinkageEngineTest.World();
    LinkageEngineTest.Run run = new LinkageEngineTest.Run();
    run.play(w);
    String cluster = run.engine.clusterOf("hydra-0");
    IndicatorBundle b = run.engine.export(cluster, Instant.parse("2025-03-06T12:00:00Z"));
    assertThat(b.subnets()).contains("185.12.7.0/24", "185.44.90.0/24");
    assertThat(b.templates()).isNotEmpty();
    assertThat(b.timing()).isNotNull();
    String json = b.toJson();
    assertThat(json).doesNotContain("hydra-").doesNotContain("Complete the following");
    IndicatorBundle back = IndicatorBundle.parse(json);
    assertThat(back).isEqualTo(b);

    LinkageEngine other = new LinkageEngine(LinkageConfig.defaults(), null);
    other.importIndicators(back);
    Traffic t = new Traffic();
    Instant tick = Instant.parse("2025-04-01T10:15:01Z");
    other.account("fresh", Traffic.attrs("x", "99.9.9.9", "gmail.com"), tick.minus(Duration.ofHours(1)));
    List<LinkageAction> first = other.accept(t.exchange("fresh", tick, "185.12.7.200", "curl/8", null,
        "Complete the following task as well as you can.\n\nTranslate this sentence into French please"));
    assertThat(first).singleElement().satisfies(a -> {
      assertThat(a.level()).isEqualTo(RiskLevel.WATCH);
      assertThat(a.risk().reasons().get(0).explanation()).contains("network").contains("content");
    });
    List<LinkageAction> benign = other.accept(t.exchange("someone", tick, "185.12.7.201", "curl/8", null,
        "what should I cook tonight with leftover rice"));
    assertThat(benign).isEmpty();
  }

  @Test
  void malformedBundlesAreRefusedWithTheField() {
    String ok = "{\"format\":1,\"cluster_id\":\"cl_1\",\"exported_at\":\"2025-01-01T00:00:00Z\",\"members\":3,"
        + "\"score\":0.9,\"level\":\"block\",\"subnets\":[\"203.0.113.0/24\"],\"client_fingerprints\":[],"
        + "\"system_prompts\":[],\"templates\":[\"00000000000000ff\"],\"payment_fingerprints\":[],\"timing\":null}";
    assertThat(IndicatorBundle.parse(ok).subnets()).containsExactly("203.0.113.0/24");
    assertThatThrownBy(() -> IndicatorBundle.parse("{")).hasMessageContaining("not an indicator bundle");
    assertThatThrownBy(() -> IndicatorBundle.parse("[]")).hasMessageContaining("not an indicator bundle");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("\"members\"", "\"evil\"")))
        .hasMessageContaining("evil");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("\"format\":1", "\"format\":2")))
        .hasMessageContaining("format");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("203.0.113.0/24", "evil.example/24")))
        .hasMessageContaining("subnets");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("00000000000000ff", "<script>")))
        .hasMessageContaining("templates");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("\"block\"", "\"nuke\"")))
        .hasMessageContaining("level");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("\"cl_1\"", "\"../../etc\"")))
        .hasMessageContaining("cluster_id");
    assertThatThrownBy(() -> IndicatorBundle.parse(ok.replace("0.9", "7")))
        .hasMessageContaining("score");
  }
}
