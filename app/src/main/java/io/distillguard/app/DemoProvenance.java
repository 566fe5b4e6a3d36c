package io.distillguard.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.detect.KeyedTest;
import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's provenance part: a few hundred answers served to one account carry that account's watermark, and the
 * detection test over a thousand accounts' keys names it; the same answers unwatermarked name nobody. The demo
 * gateway runs with the watermark off (so the other parts show answers verbatim), so the account's answers are
 * watermarked here with the stage's own {@link Watermarker}, exactly as the gateway does with
 * {@code provenance.enabled: true}.
 */
final class DemoProvenance {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  DemoProvenance(PrintStream out) {
    this.out = out;
  }

  /** @param sets the public datasets directory, or null for the built-in fixtures */
  void run(String dataUrl, String apiKey, String account, java.nio.file.Path sets) throws Exception {
    out.println("-- Provenance: " + account + "'s answers carry its watermark; the test over 1,000 accounts' keys "
        + "names it");
    io.distillguard.sim.data.DataSets data = sets == null ? io.distillguard.sim.data.DataSets.fixtures()
        : io.distillguard.sim.data.DataSets.load(sets);
    List<String> prompts = new ArrayList<>();
    for (String pool : List.of("sharegpt-first-turn", "hh-rlhf-helpful")) {
      for (io.distillguard.sim.data.Prompt p : data.pool(pool).prompts()) {
        if (prompts.size() < 300) {
          prompts.add(p.full());
        }
      }
    }
    List<String> answers = new ArrayList<>();
    for (String prompt : prompts) {
      String body = JSON.createObjectNode().put("model", "builtin-small")
          .set("messages", JSON.createArrayNode().add(JSON.createObjectNode().put("role", "user")
              .put("content", prompt))).toString();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(dataUrl + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        answers.add(JSON.readTree(r.body()).path("choices").path(0).path("message").path("content").asText());
      }
    }
    byte[] master = new byte[32];
    new SecureRandom().nextBytes(master);
    List<WatermarkKey> keys = new ArrayList<>();
    keys.add(WatermarkKey.account(master, account));
    for (int i = 1; i < 1000; i++) {
      keys.add(WatermarkKey.account(master, String.format(Locale.ROOT, "customer-%03d", i)));
    }
    Lexicon lexicon = Lexicon.standard();
    Watermarker wm = new Watermarker(lexicon, keys.get(0), 0.8);
    List<String> served = new ArrayList<>();
    long words = 0;
    long changed = 0;
    for (String a : answers) {
      Watermarker.Session s = wm.session();
      served.add(s.push(a) + s.finish());
      words += s.words();
      changed += s.changed();
    }
    KeyedTest test = new KeyedTest(0.8);
    out.printf(Locale.ROOT, "  %d answers, %d words, %.2f%% of words changed by the watermark (strength 0.8)%n",
        answers.size(), words, 100.0 * changed / Math.max(1, words));
    report("watermarked", test.scoreAll(ScoredEvents.of(lexicon, served), keys));
    report("control (same answers, no watermark)", test.scoreAll(ScoredEvents.of(lexicon, answers), keys));
  }

  private void report(String what, List<KeyScore> ranked) {
    KeyScore top = ranked.get(0);
    out.printf(Locale.ROOT, "  %-38s top key %-22s %d of %d pairs favour it, adjusted p = %.1e -> %s%n", what,
        top.key().id(), top.hits(), top.events(), top.pAdjusted(),
        top.pAdjusted() <= 1e-6 ? "watermark of " + top.key().id() + " present" : "no key stands out");
  }
}
