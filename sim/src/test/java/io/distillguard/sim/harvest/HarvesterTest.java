package io.distillguard.sim.harvest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.http.AdminClient;
import io.distillguard.sim.http.LiveGateway;
import io.distillguard.sim.http.OpenAiWire;
import io.distillguard.upstream.Fault;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harvest tool against a real gateway in front of the builtin upstream. */
class HarvesterTest {
  @TempDir static Path dir;
  static LiveGateway gw;
  static AdminClient admin;

  @BeforeAll
  static void start() {
    gw = LiveGateway.start(dir.resolve("gw"));
    admin = new AdminClient(HttpClient.newHttpClient(), gw.adminUrl(), LiveGateway.TOKEN);
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** Time that passes only when the harvester sleeps: backoffs and Retry-After waits cost nothing. */
  static final class VirtualClock implements Harvester.Clock {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final List<Long> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
      return now.get();
    }

    @Override
    public void sleep(long nanos) {
      sleeps.add(nanos);
      now.addAndGet(Math.max(0, nanos));
    }
  }

  private static String key(String account, String tier) {
    admin.createAccountAsync(new SimAccount(account, null, Map.of("tier", tier), Label.BENIGN, Instant.EPOCH))
        .join();
    return admin.createKeyAsync(account).join();
  }

  private static List<String> prompts(String tag, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add("[" + tag + "] Solve step by step: what is " + i + " times 17?");
    }
    return out;
  }

  private Harvester.Options options(List<String> keys) {
    return new Harvester.Options().target(gw.dataUrl()).keys(keys).model("builtin-small");
  }

  @Test
  void harvestsPairsInTheFineTuningChatFormatThroughManyKeys() throws Exception {
    List<String> keys = List.of(key("h1-a", "default"), key("h1-b", "default"), key("h1-c", "default"));
    Path promptFile = dir.resolve("h1-prompts.txt");
    Files.write(promptFile, prompts("h1", 12), StandardCharsets.UTF_8);
    Path out = dir.resolve("h1/harvest.jsonl");

    HarvestReport r = new Harvester(options(keys).concurrency(3).out(out).forwardedFor(
        List.of(Cidr.parse("198.51.100.0/24"))).model(null)).run(PromptFiles.read(promptFile));

    assertThat(r.served()).isEqualTo(12);
    assertThat(r.stopReason()).isEqualTo(Harvester.StopReason.PROMPTS_EXHAUSTED);
    assertThat(r.deadKeys()).isZero();
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(12);
    Set<String> harvested = new HashSet<>();
    for (String line : lines) {
      JsonNode n = OpenAiWire.JSON.readTree(line);
      assertThat(n.fieldNames()).toIterable().containsExactly("messages");
      JsonNode m = n.get("messages");
      assertThat(m).hasSize(2);
      assertThat(m.get(0).get("role").asText()).isEqualTo("user");
      assertThat(m.get(1).get("role").asText()).isEqualTo("assistant");
      assertThat(m.get(1).get("content").asText()).isNotBlank();
      harvested.add(m.get(0).get("content").asText());
    }
    assertThat(harvested).containsExactlyInAnyOrderElementsOf(prompts("h1", 12));
    // Round-robin over the three keys, and every request from an address of the network.
    gw.flush();
    for (String acct : List.of("h1-a", "h1-b", "h1-c")) {
      int chats = 0;
      for (JsonNode e : admin.exchanges(acct, 100)) {
        assertThat(e.path("client_ip").asText()).startsWith("198.51.100.");
        chats += e.path("endpoint").asText().equals("/v1/chat/completions") ? 1 : 0;
      }
      assertThat(chats).isEqualTo(4);
    }
    assertThat(r.render()).contains("harvested 12 pairs").contains("prompts exhausted");

    // Appending again with --resume skips what is there and adds only the new prompts.
    List<String> more = new ArrayList<>(prompts("h1", 12));
    more.addAll(prompts("h1-more", 2));
    HarvestReport again = new Harvester(options(keys).out(out).resume(true)).run(more);
    assertThat(again.skipped()).isEqualTo(12);
    assertThat(again.served()).isEqualTo(2);
    assertThat(Files.readAllLines(out)).hasSize(14);
  }

  @Test
  void aServerErrorIsRetriedWithBackoff() throws Exception {
    String k = key("h2-a", "default");
    gw.upstream.enqueue(Fault.status(500));
    VirtualClock clock = new VirtualClock();
    Path out = dir.resolve("h2.jsonl");

    HarvestReport r = new Harvester(options(List.of(k)).concurrency(1).clock(clock).out(out))
        .run(prompts("h2", 2));

    assertThat(r.served()).isEqualTo(2);
    assertThat(r.retries()).isEqualTo(1);
    assertThat(r.byStatus()).containsEntry(502, 1L).containsEntry(200, 2L);
    assertThat(clock.sleeps).hasSize(1);
    assertThat(clock.sleeps.get(0)).isPositive();
    assertThat(Files.readAllLines(out)).hasSize(2);
  }

  @Test
  void aLimitedKeyRestsForItsRetryAfterAndThePromptMovesToAnotherKey() {
    String tiny = key("h3-tiny", "tiny");
    String other = key("h3-default", "default");
    VirtualClock clock = new VirtualClock();

    HarvestReport r = new Harvester(options(List.of(tiny, other)).concurrency(1).clock(clock))
        .run(prompts("h3", 3));

    // tiny serves the first prompt, default the second; tiny is limited on the third, which default then serves.
    assertThat(r.served()).isEqualTo(3);
    assertThat(r.byStatus()).containsEntry(429, 1L).containsEntry(200, 3L);
    assertThat(r.retries()).isEqualTo(1);
    assertThat(clock.sleeps).isEmpty();
  }

  @Test
  void aKeyIsDroppedWhenItsAccountIsBlockedAndTheHarvestStopsWhenNoneIsLeft() {
    String a = key("h4-a", "default");
    String b = key("h4-b", "default");
    AtomicInteger pairs = new AtomicInteger();
    HarvestReport r = new Harvester(options(List.of(a, b)).concurrency(1).listener(p -> {
      if (pairs.incrementAndGet() == 2) {
        admin.setStatus("h4-a", "blocked", "test: harvesting");
      }
    })).run(prompts("h4", 6));

    assertThat(r.served()).isEqualTo(6);
    assertThat(r.deadKeys()).isEqualTo(1);
    assertThat(r.byStatus()).containsEntry(403, 1L);
    assertThat(r.stopReason()).isEqualTo(Harvester.StopReason.PROMPTS_EXHAUSTED);

    admin.setStatus("h4-b", "blocked", "test: harvesting");
    HarvestReport stopped = new Harvester(options(List.of(a, b)).concurrency(2)).run(prompts("h4-late", 5));
    assertThat(stopped.served()).isZero();
    assertThat(stopped.deadKeys()).isEqualTo(2);
    assertThat(stopped.stopReason()).isEqualTo(Harvester.StopReason.ALL_KEYS_DEAD);
    assertThat(stopped.promptsTried()).isLessThanOrEqualTo(2);
    assertThat(stopped.render()).contains("all keys dead");
  }

  @Test
  void maxStopsTheHarvest() {
    String k = key("h5", "default");
    HarvestReport r = new Harvester(options(List.of(k)).concurrency(4).max(5)).run(prompts("h5", 40));
    assertThat(r.served()).isEqualTo(5);
    assertThat(r.stopReason()).isEqualTo(Harvester.StopReason.MAX_REACHED);
  }

  @Test
  void badTargetsAndNoKeysAreClearErrors() throws Exception {
    assertThatThrownBy(() -> new Harvester(new Harvester.Options().target("ftp://x").keys(List.of("k"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad --target URL");
    assertThatThrownBy(() -> new Harvester(new Harvester.Options().target(gw.dataUrl()).keys(List.of())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no API keys");
    int closed;
    try (ServerSocket ss = new ServerSocket(0)) {
      closed = ss.getLocalPort();
    }
    assertThatThrownBy(() -> new Harvester(new Harvester.Options().target("http://127.0.0.1:" + closed)
        .keys(List.of("k"))).run(List.of("hi")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("cannot reach");
  }
}
