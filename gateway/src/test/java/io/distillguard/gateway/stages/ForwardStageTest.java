package io.distillguard.gateway.stages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.distillguard.gateway.pipeline.Json;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** What the forward stage sends upstream: the client's body, plus a usage request on streams. */
class ForwardStageTest {

  private static Call parsed(Endpoint e, String json) {
    Call c = new Call(null, null, e, e.path(), System.nanoTime(), "ex");
    c.body = Buffer.buffer(json.replace('\'', '"'));
    assertThat(new ParseStage().parse(c)).isNull();
    return c;
  }

  private static JsonNode upstream(Call c) throws Exception {
    return Json.MAPPER.readTree(ForwardStage.upstreamBody(c).getBytes());
  }

  @Test
  void wholeAnswersForwardTheClientsBytes() {
    Call c = parsed(Endpoint.CHAT_COMPLETIONS, "{'model':'m',  'messages':[{'role':'user','content':'x'}]}");
    assertThat(ForwardStage.upstreamBody(c)).isSameAs(c.body);
  }

  @Test
  void aStreamThatAsksForUsageIsForwardedAsIs() {
    Call c = parsed(Endpoint.CHAT_COMPLETIONS,
        "{'model':'m','messages':[{'role':'user','content':'x'}],'stream':true,'stream_options':{'include_usage':true}}");
    assertThat(ForwardStage.upstreamBody(c)).isSameAs(c.body);
  }

  @Test
  void aStreamThatDoesNotAskGetsUsageRequestedOnItsBehalf() throws Exception {
    Call c = parsed(Endpoint.COMPLETIONS, "{'model':'m','prompt':'x','stream':true,'temperature':0.5}");
    JsonNode sent = upstream(c);
    assertThat(sent.get("stream_options").get("include_usage").asBoolean()).isTrue();
    assertThat(sent.get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(sent.get("prompt").asText()).isEqualTo("x");
    assertThat(c.json.has("stream_options")).as("the parsed request is left alone").isFalse();
  }

  @Test
  void otherStreamOptionsAreKept() throws Exception {
    Call c = parsed(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':[{'role':'user','content':'x'}],"
        + "'stream':true,'stream_options':{'include_usage':false,'include_obfuscation':false}}");
    JsonNode so = upstream(c).get("stream_options");
    assertThat(so.get("include_usage").asBoolean()).isTrue();
    assertThat(so.get("include_obfuscation").isBoolean()).isTrue();
    assertThat(so.get("include_obfuscation").asBoolean()).isFalse();
  }

  @Test
  void requestsWithoutABodySendNone() {
    Call c = new Call(null, null, Endpoint.MODELS, Endpoint.MODELS.path(), System.nanoTime(), "ex");
    assertThat(ForwardStage.upstreamBody(c)).isNull();
  }
}
