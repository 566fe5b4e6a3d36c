package io.distillguard.core.detectors;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pace on a newly released model: a pivoting harvest against early adopters and established models. */
class PivotDetectorTest {
  static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  static Exchange ex(String account, String model, Instant at, Outcome outcome) {
    List<ChatMessage> m = List.of(new ChatMessage("user", "q"));
    return new Exchange("x", at, account, "k", "1.2.3.4", "ua", "fp", "/v1/chat/completions", model,
        SamplingParams.NONE, false, m, "a", null, 1, null, 1, 1, 1, outcome == Outcome.OK ? 200 : 404, outcome,
        null, 0, 0, 0);
  }

  static Exchange ex(String account, String model, Instant at) {
    return ex(account, model, at, Outcome.OK);
  }

  @Test
  void aHarvestRedirectedToANewModelOnItsFirstDayIsSeen() {
    ModelCatalog catalog = new ModelCatalog(PivotDetector.WARMUP);
    PivotDetector d = new PivotDetector(catalog, 500);
    PivotDetector.State harvester = d.newState();
    PivotDetector.State adopter = d.newState();
    PivotDetector.State steady = d.newState();
    // Day 1: everyone on the old model; it is established.
    for (int i = 0; i < 1000; i++) {
      d.observe(harvester, ex("h", "old", T0.plusSeconds(60L * i)));
      d.observe(steady, ex("s", "old", T0.plusSeconds(60L * i + 30)));
    }
    assertThat(catalog.releasedAt("old")).isEqualTo(ModelCatalog.ESTABLISHED);
    // 30 h in, a new model appears (first served): the harvester moves to it at 10 a minute.
    Instant release = T0.plus(Duration.ofHours(30));
    d.observe(adopter, ex("a", "new", release));
    assertThat(catalog.releasedAt("new")).isEqualTo(release.getEpochSecond());
    for (int i = 0; i < 6000; i++) {
      Instant t = release.plusSeconds(60 + 6L * i);
      d.observe(harvester, ex("h", "new", t));
      d.observe(steady, ex("s", "old", t));
      if (i % 300 == 0) {
        d.observe(adopter, ex("a", "new", t));
      }
    }
    assertThat(d.evaluate(harvester).suspicion()).isEqualTo(1.0);
    assertThat(d.evaluate(harvester).explanation()).contains("went to a model released less than 72 h before")
        .contains("first request 1 min after");
    assertThat(d.evaluate(adopter).suspicion()).as("an early adopter trying it").isZero();
    assertThat(d.evaluate(steady).suspicion()).as("heavy, but on the established model").isZero();

    // Four days later the model is no longer new and the day's window has forgotten the pivot.
    Instant later = release.plus(Duration.ofDays(4));
    for (int i = 0; i < 6000; i++) {
      d.observe(harvester, ex("h", "new", later.plusSeconds(6L * i)));
    }
    assertThat(d.suspicion(harvester)).isZero();
  }

  @Test
  void theCatalogIsBoundedAndLearnsOnlyFromServedExchanges() {
    ModelCatalog catalog = new ModelCatalog(Duration.ofHours(1));
    catalog.observe(ex("a", "base", T0));
    Instant after = T0.plus(Duration.ofHours(2));
    assertThat(catalog.observe(ex("a", "typo-model", after, Outcome.REJECTED))).isEqualTo(ModelCatalog.ESTABLISHED);
    assertThat(catalog.releasedAt("typo-model")).isNull();
    for (int i = 0; i < 1000; i++) {
      catalog.observe(ex("a", "m" + i, after));
    }
    assertThat(catalog.size()).isEqualTo(ModelCatalog.MAX_MODELS);
    catalog.listed("m0", T0.plus(Duration.ofHours(5)));
    assertThat(catalog.releasedAt("m0")).isEqualTo(T0.plus(Duration.ofHours(5)).getEpochSecond());
  }

  @Test
  void stateIsBounded() {
    PivotDetector d = new PivotDetector(2000);
    PivotDetector.State s = d.newState();
    for (int i = 0; i < 100_000; i++) {
      d.observe(s, ex("a", i % 2 == 0 ? "x" : "y", T0.plusSeconds(10L * i)));
    }
    assertThat(s.onNew).hasSize(24);
    assertThat(s.all).hasSize(24);
  }
}
