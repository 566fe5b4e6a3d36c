package io.distillguard.core.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.distillguard.core.AccountStatus;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The encoders' output, for many varied (and hostile) values, is valid under the published JSON Schemas, checked
 * by a real JSON-Schema validator with format assertions on; documents broken on purpose are not, and the verdict
 * decoder refuses each broken verdict the schema refuses.
 */
class WireSchemaTest {
  private static final String[] HOSTILE = {"", "plain", "quote \" and \\ backslash", "\u0000\u0001\u001f controls",
      "line\nbreak\r\ttab", "\u2028\u2029 separators", "emoji 😀 𝔁² surrogate", "\uD800 lone surrogate",
      "rtl \u202Eevil\u202C", "<script>alert(1)</script>", "{\"json\":\"inside\"}", "ünïcödé — 中文 — العربية",
      "x".repeat(5000), "%s %n ${jndi:ldap://x}", "'; DROP TABLE exchanges; --"};

  private static JsonSchema exchangeSchema;
  private static JsonSchema verdictSchema;

  @BeforeAll
  static void loadSchemas() throws Exception {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    exchangeSchema = load(factory, config, "/schema/exchange-event.v1.schema.json");
    verdictSchema = load(factory, config, "/schema/verdict-event.v1.schema.json");
  }

  private static JsonSchema load(JsonSchemaFactory f, SchemaValidatorsConfig c, String path) throws Exception {
    try (InputStream in = WireSchemaTest.class.getResourceAsStream(path)) {
      assertThat(in).as(path).isNotNull();
      return f.getSchema(in, c);
    }
  }

  private static String pick(Random r, boolean nullable) {
    if (nullable && r.nextInt(4) == 0) {
      return null;
    }
    return HOSTILE[r.nextInt(HOSTILE.length)];
  }

  private static Exchange randomExchange(Random r, int i) {
    List<ChatMessage> msgs = new ArrayList<>();
    for (int m = r.nextInt(4); m > 0; m--) {
      msgs.add(new ChatMessage(pick(r, true), pick(r, true)));
    }
    SamplingParams p = r.nextBoolean() ? SamplingParams.NONE : new SamplingParams(
        r.nextBoolean() ? null : r.nextDouble() * 2, r.nextBoolean() ? null : r.nextDouble(),
        r.nextBoolean() ? null : r.nextInt(16), r.nextBoolean() ? null : r.nextInt(1 << 20),
        r.nextBoolean() ? null : r.nextBoolean(), r.nextBoolean() ? null : r.nextInt(20),
        r.nextBoolean() ? null : r.nextLong(), r.nextInt(5));
    String response = pick(r, true);
    Outcome[] outcomes = Outcome.values();
    Exchange e = new Exchange(pick(r, false) + i, Instant.ofEpochSecond(r.nextInt(2_000_000_000), r.nextInt(1_000_000_000)),
        pick(r, true), pick(r, true), pick(r, true), pick(r, true), pick(r, true), pick(r, false), pick(r, true), p,
        r.nextBoolean(), msgs, response, Exchange.promptDigest(msgs), msgs.isEmpty() ? 0 : Exchange.promptLength(msgs),
        Exchange.textDigest(response), response == null ? 0 : response.length(), r.nextInt(100_000),
        r.nextInt(100_000), 100 + r.nextInt(500), outcomes[r.nextInt(outcomes.length)], pick(r, true),
        r.nextInt(Integer.MAX_VALUE), r.nextInt(1000), r.nextInt(1000));
    return r.nextInt(5) == 0 ? e.redacted() : e;
  }

  private static VerdictEvent randomVerdict(Random r) {
    List<Reason> reasons = new ArrayList<>();
    for (int k = r.nextInt(4); k > 0; k--) {
      double value = switch (r.nextInt(5)) {
        case 0 -> Double.NaN;
        case 1 -> Double.POSITIVE_INFINITY;
        default -> r.nextGaussian() * 100;
      };
      reasons.add(new Reason(pick(r, false), value, r.nextDouble(), pick(r, true)));
    }
    boolean analyst = r.nextInt(3) == 0;
    RiskLevel level = RiskLevel.values()[r.nextInt(RiskLevel.values().length)];
    return new VerdictEvent(pick(r, false) + "acct", r.nextBoolean() ? null : pick(r, false),
        analyst ? AccountStatus.values()[r.nextInt(5)] : level.status(), analyst ? null : level,
        analyst ? null : r.nextDouble(), r.nextInt(1_000_000), reasons, Instant.ofEpochMilli(r.nextLong(4_000_000_000_000L)),
        analyst ? VerdictEvent.Source.ANALYST : VerdictEvent.Source.values()[r.nextInt(2)], 1 + r.nextLong(Long.MAX_VALUE - 1),
        analyst ? pick(r, true) : null);
  }

  private static Set<ValidationMessage> validate(JsonSchema schema, byte[] bytes) throws Exception {
    return schema.validate(ExchangeCodec.MAPPER.readTree(bytes));
  }

  @Test
  void everyEncodedExchangeIsValid() throws Exception {
    Random r = new Random(20261122);
    for (int i = 0; i < 600; i++) {
      Exchange e = randomExchange(r, i);
      if (i % 3 == 1) {
        e = e.withAccountTier(i % 2 == 0 ? "free" : "t\u00e9r \"\n</script>" + i);
      }
      byte[] bytes = ExchangeCodec.encodeEvent(e);
      assertThat(validate(exchangeSchema, bytes)).as("exchange %d", i).isEmpty();
      assertThat(ExchangeCodec.decode(bytes)).isEqualTo(e);
    }
  }

  @Test
  void everyEncodedVerdictIsValidAndReadsBack() throws Exception {
    Random r = new Random(7);
    for (int i = 0; i < 600; i++) {
      VerdictEvent v = randomVerdict(r);
      byte[] bytes = VerdictCodec.encode(v);
      assertThat(validate(verdictSchema, bytes)).as("verdict %d", i).isEmpty();
      VerdictEvent back = VerdictCodec.decode(bytes);
      // NaN and infinities travel as null and come back as NaN; everything else is exact
      assertThat(back).usingRecursiveComparison().ignoringFields("reasons").isEqualTo(v);
      assertThat(back.reasons()).hasSameSizeAs(v.reasons());
      for (int k = 0; k < v.reasons().size(); k++) {
        Reason a = v.reasons().get(k);
        Reason b = back.reasons().get(k);
        assertThat(b.signal()).isEqualTo(a.signal());
        assertThat(b.explanation()).isEqualTo(a.explanation());
        assertThat(Double.compare(b.value(), Double.isFinite(a.value()) ? a.value() : Double.NaN)).isZero();
      }
    }
  }

  private static ObjectNode tree(byte[] bytes) throws Exception {
    return (ObjectNode) ExchangeCodec.MAPPER.readTree(bytes);
  }

  private static ObjectNode validExchange() throws Exception {
    return tree(ExchangeCodec.encodeEvent(randomExchange(new Random(1), 1)));
  }

  private static ObjectNode validVerdict() throws Exception {
    return tree(VerdictCodec.encode(new VerdictEvent("acct-1", "c-1", AccountStatus.BLOCKED, RiskLevel.BLOCK, 0.97,
        42, List.of(new Reason("template", 0.9, 0.5, "same template")), Instant.parse("2026-11-22T10:00:00Z"),
        VerdictEvent.Source.LINKAGE, 5, null)));
  }

  @Test
  void brokenExchangesAreInvalid() throws Exception {
    assertThat(validate(exchangeSchema, ExchangeCodec.MAPPER.writeValueAsBytes(validExchange()))).isEmpty();
    List<Consumer<ObjectNode>> breaks = List.of(
        o -> o.remove("id"),
        o -> o.put("v", 2),
        o -> o.remove("v"),
        o -> o.put("eventTime", "yesterday"),
        o -> o.put("status", "200"),
        o -> o.put("outcome", "ok"),
        o -> o.put("promptChars", -1),
        o -> o.put("promptSha256", "not-a-digest"),
        o -> o.set("messages", ExchangeCodec.MAPPER.createObjectNode()),
        o -> ((ObjectNode) o.get("params")).put("tools", "two"),
        o -> o.put("stream", "true"));
    for (int i = 0; i < breaks.size(); i++) {
      ObjectNode o = validExchange();
      breaks.get(i).accept(o);
      assertThat(validate(exchangeSchema, ExchangeCodec.MAPPER.writeValueAsBytes(o))).as("break %d", i)
          .isNotEmpty();
    }
  }

  @Test
  void brokenVerdictsAreInvalidAndRefusedByTheDecoder() throws Exception {
    assertThat(validate(verdictSchema, ExchangeCodec.MAPPER.writeValueAsBytes(validVerdict()))).isEmpty();
    List<Consumer<ObjectNode>> breaks = List.of(
        o -> o.remove("accountId"),
        o -> o.put("accountId", ""),
        o -> o.put("v", 2),
        o -> o.put("status", "banned"),
        o -> o.put("level", "BLOCK"),
        o -> o.put("score", 1.5),
        o -> o.put("score", "high"),
        o -> o.put("version", 0),
        o -> o.put("version", "7"),
        o -> o.remove("version"),
        o -> o.put("at", "2026-13-45"),
        o -> o.put("source", "oracle"),
        o -> o.put("evidence", -3),
        o -> o.set("reasons", ExchangeCodec.MAPPER.createObjectNode()),
        o -> ((ObjectNode) o.get("reasons").get(0)).remove("signal"),
        o -> ((ObjectNode) o.get("reasons").get(0)).put("value", "big"),
        o -> ((ArrayNode) o.get("reasons")).add(3));
    for (int i = 0; i < breaks.size(); i++) {
      ObjectNode o = validVerdict();
      breaks.get(i).accept(o);
      byte[] bytes = ExchangeCodec.MAPPER.writeValueAsBytes(o);
      assertThat(validate(verdictSchema, bytes)).as("break %d", i).isNotEmpty();
      assertThatThrownBy(() -> VerdictCodec.decode(bytes)).as("break %d", i)
          .isInstanceOf(WireFormatException.class);
    }
  }

  @Test
  void unknownFieldsAreAllowedByBothSchemasAndDecoders() throws Exception {
    ObjectNode e = validExchange().put("addedInALaterBuild", 1);
    assertThat(validate(exchangeSchema, ExchangeCodec.MAPPER.writeValueAsBytes(e))).isEmpty();
    assertThat(ExchangeCodec.decode(ExchangeCodec.MAPPER.writeValueAsBytes(e)).id()).isNotNull();
    ObjectNode v = validVerdict().put("addedInALaterBuild", true);
    JsonNode copy = v.deepCopy();
    assertThat(validate(verdictSchema, ExchangeCodec.MAPPER.writeValueAsBytes(copy))).isEmpty();
    assertThat(VerdictCodec.decode(ExchangeCodec.MAPPER.writeValueAsBytes(v)).accountId()).isEqualTo("acct-1");
  }
}
