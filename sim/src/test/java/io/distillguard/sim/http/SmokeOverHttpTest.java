package io.distillguard.sim.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.Simulation;
import io.distillguard.sim.data.DataSets;
import io.distillguard.sim.scenario.Scenario;
import io.distillguard.sim.scenario.ScenarioLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scenarios/smoke.yaml (its first hours) through a real gateway over HTTP in replay mode. */
class SmokeOverHttpTest {
  @TempDir Path dir;

  static Path scenarioFile(String name) {
    Path p = Path.of("..", "scenarios", name);
    return Files.exists(p) ? p : Path.of("scenarios", name);
  }

  @Test
  void smokeScenarioRunsThroughTheGateway() throws Exception {
    // The first 8 simulated hours: both campaigns start, and the test stays at a few seconds.
    Scenario scenario = ScenarioLoader.load(scenarioFile("smoke.yaml")).withDuration(Duration.ofHours(8));
    Simulation sim = Simulation.create(scenario, DataSets.fixtures());
    Path out = dir.resolve("smoke.jsonl");
    List<RequestRecord> records = new ArrayList<>();
    try (LiveGateway gw = LiveGateway.start(dir.resolve("gw"))) {
      HttpRunner runner = new HttpRunner(new HttpRunner.Options().target(gw.dataUrl()).admin(gw.adminUrl())
          .adminToken(LiveGateway.TOKEN).replayHeaders(true).concurrency(32).out(out).listener(records::add));

      RunSummary s = runner.run(sim);

      assertThat(s.stopReason()).isNull();
      assertThat(s.sent()).isEqualTo(sim.requestsGenerated()).isPositive();
      assertThat(Files.readAllLines(out)).hasSize((int) s.sent());
      assertThat(s.noAnswer()).isZero();
      assertThat(s.byClass()).containsKeys(Label.Kind.BENIGN, Label.Kind.BENIGN_HEAVY, Label.Kind.CAMPAIGN);
      assertThat(s.byClass().get(Label.Kind.BENIGN).served()).isPositive();
      assertThat(s.attackSent()).isPositive();
      // Every account the simulation used was created on the gateway before its first request.
      assertThat(runner.accounts().keySet()).containsExactlyInAnyOrderElementsOf(
          sim.accounts().stream().map(SimAccount::id).toList());
      assertThat(s.accountsCreated()).isEqualTo(runner.accounts().size());
      Map<Label.Kind, Map<String, Integer>> statuses = runner.readBackStatuses();
      int total = statuses.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
      assertThat(total).isEqualTo(runner.accounts().size());

      // The gateway recorded each request with the simulated client address and event time.
      gw.flush();
      // The campaign account with the fewest requests, so that one page of the admin API (at most 1,000) holds all
      // of them; which campaign account answers first depends on the concurrency, how many requests each sends on
      // how soon detection stops it.
      Map<String, Long> perAccount = records.stream().filter(r -> r.label().kind() == Label.Kind.CAMPAIGN)
          .collect(java.util.stream.Collectors.groupingBy(RequestRecord::account,
              java.util.stream.Collectors.counting()));
      String sampleAccount = perAccount.entrySet().stream()
          .min(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
          .orElseThrow().getKey();
      assertThat(perAccount.get(sampleAccount)).isLessThanOrEqualTo(1000L);
      RequestRecord sample = records.stream().filter(r -> r.account().equals(sampleAccount)).findFirst()
          .orElseThrow();
      Map<String, String> ipByTime = new HashMap<>();
      for (RequestRecord r : records) {
        if (r.account().equals(sample.account())) {
          ipByTime.put(r.time().toString(), r.clientIp());
        }
      }
      JsonNode ex = runner.admin().exchanges(sample.account(), 1000);
      assertThat(ex.size()).isEqualTo(ipByTime.size());
      for (JsonNode e : ex) {
        assertThat(ipByTime).containsEntry(e.path("event_time").asText(), e.path("client_ip").asText());
      }
      System.out.println(s.render());
    }
  }
}
