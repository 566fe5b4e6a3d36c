package io.distillguard.gateway.provenance;

import static io.distillguard.gateway.testing.GatewayFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.distillguard.gateway.testing.GatewayFixture;
import io.distillguard.gateway.testing.GatewayFixture.AccountKey;
import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.detect.KeyedTest;
import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.lexicon.VariantSet;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watermark stage through the real gateway and the builtin upstream, whole answers and streams. */
class WatermarkIntegrationTest {
  static final String SECRET = "integration-test-watermark-secret";
  static final Lexicon LEXICON = Lexicon.standard();
  static final String ANSWER = answer();

  @TempDir
  static Path dir;
  static GatewayFixture fx;

  /**
   * Prose with 80 lexicon words in distinct contexts and some contractions, plus code and a URL that must survive
   * untouched.
   */
  static String answer() {
    StringBuilder sb = new StringBuilder("Here is the summary. ");
    List<VariantSet> sets = LEXICON.sets();
    for (int i = 0; i < 80; i++) {
      VariantSet s = sets.get((i * 29) % sets.size());
      sb.append("item").append((char) ('a' + i % 26)).append(' ').append(s.variant(0)).append(i % 7 == 6 ? ". " : " ");
    }
    // two-word variants that the builtin upstream streams as separate chunks: held back across the boundary
    sb.append("The plan does not fit, itemz doesn't either and they are sure they\u2019re right; we cannot wait. ");
    return sb.append("See `probably famous` and https://example.com/often for 42 details.").toString();
  }

  @BeforeAll
  static void start() {
    fx = GatewayFixture.builder(dir)
        .upstream(u -> u.fixedResponse(ANSWER))
        .config(c -> {
          c.provenance.enabled = true;
          c.provenance.masterSecret = SECRET;
          c.provenance.strength.put("active", 1.0);
        })
        .start();
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  static Watermarker markerFor(String accountId) {
    return new Watermarker(LEXICON,
        WatermarkKey.account(SECRET.getBytes(StandardCharsets.UTF_8), accountId), 1.0);
  }

  @Test
  void wholeAnswersCarryTheAccountsKeyAndOnlyIt() {
    AccountKey a = fx.newAccountWithKey();
    AccountKey b = fx.newAccountWithKey();
    String served = fx.chat(a.key(), "hi").json().at("/choices/0/message/content").asText();
    assertThat(served).isNotEqualTo(ANSWER).isEqualTo(markerFor(a.accountId()).apply(ANSWER));
    assertThat(served).contains("`probably famous`", "https://example.com/often", "42");
    JsonNode ex = fx.onlyExchange(a.accountId());
    assertThat(ex.get("response_text").asText()).isEqualTo(served);

    byte[] master = SECRET.getBytes(StandardCharsets.UTF_8);
    KeyedTest test = new KeyedTest(1.0);
    ScoredEvents events = new ScoredEvents(LEXICON).add(served);
    KeyScore own = test.score(events, WatermarkKey.account(master, a.accountId()));
    KeyScore other = test.score(events, WatermarkKey.account(master, b.accountId()));
    assertThat(own.log10P()).isLessThan(-6);
    assertThat(other.p()).isGreaterThan(0.001);
    List<KeyScore> ranked = test.scoreAll(events, List.of(WatermarkKey.account(master, b.accountId()),
        WatermarkKey.account(master, a.accountId()), WatermarkKey.account(master, "nobody")));
    assertThat(ranked.get(0).key().id()).isEqualTo(a.accountId());
  }

  @Test
  void streamsEqualWholeAnswers() {
    AccountKey a = fx.newAccountWithKey();
    OpenAIClient client = fx.openAi(a.key());
    StringBuilder streamed = new StringBuilder();
    int[] deltas = {0};
    try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hi").build())) {
      s.stream().forEach(chunk -> chunk.choices().forEach(ch -> ch.delta().content().ifPresent(t -> {
        streamed.append(t);
        deltas[0]++;
      })));
    }
    assertThat(deltas[0]).isGreaterThan(10);
    assertThat(streamed.toString()).isEqualTo(markerFor(a.accountId()).apply(ANSWER));
    String whole = fx.chat(a.key(), "hi").json().at("/choices/0/message/content").asText();
    assertThat(streamed.toString()).isEqualTo(whole);
  }

  @Test
  void jsonModeAndToolsAreLeftAlone() {
    AccountKey a = fx.newAccountWithKey();
    String body = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
        + "\"response_format\":{\"type\":\"json_object\"}}";
    String served = fx.data("POST", "/v1/chat/completions", body, a.key()).json()
        .at("/choices/0/message/content").asText();
    assertThat(served).isEqualTo(ANSWER);
  }
}
