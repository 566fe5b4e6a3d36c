package io.distillguard.gateway.stages;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.gateway.pipeline.ApiError;
import io.distillguard.gateway.pipeline.Call;
import io.distillguard.gateway.pipeline.Endpoint;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParseStageTest {
  private final ParseStage stage = new ParseStage();

  private static Call call(Endpoint endpoint, byte[] body) {
    Call c = new Call(null, null, endpoint, endpoint.path(), System.nanoTime(), "ex_test");
    c.body = body == null ? null : Buffer.buffer(body);
    return c;
  }

  private static Call call(Endpoint endpoint, String json) {
    return call(endpoint, json == null ? null : json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  private ApiError parse(Call c) {
    return stage.parse(c);
  }

  private Call ok(Endpoint endpoint, String json) {
    Call c = call(endpoint, json);
    ApiError e = parse(c);
    assertThat(e).as("parse error for %s", json).isNull();
    return c;
  }

  private ApiError error(Endpoint endpoint, String json) {
    ApiError e = parse(call(endpoint, json));
    assertThat(e).as("expected an error for %s", json).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.type()).isEqualTo("invalid_request_error");
    return e;
  }

  @Nested
  class Body {
    @Test
    void emptyOrMissingBodyIsInvalidJson() {
      assertThat(parse(call(Endpoint.CHAT_COMPLETIONS, (byte[]) null)).code()).isEqualTo("invalid_json");
      assertThat(parse(call(Endpoint.CHAT_COMPLETIONS, new byte[0])).code()).isEqualTo("invalid_json");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{", "not json", "{'model': }", "{'model': 'm',}", "nul", "{'model':'m'} trailing",
        "{'model':'m','messages':[{'role':'user','content':'x'}]}{'model':'n'}"})
    void malformedJsonIsInvalidJson(String body) {
      ApiError e = error(Endpoint.CHAT_COMPLETIONS, body);
      assertThat(e.code()).isEqualTo("invalid_json");
      assertThat(e.param()).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {"[1,2]", "'a string'", "42", "null", "true"})
    void nonObjectJsonIsRefused(String body) {
      assertThat(error(Endpoint.CHAT_COMPLETIONS, body).code()).isEqualTo("invalid_json");
    }

    @Test
    void invalidUtf8IsInvalidEncoding() {
      byte[][] bad = {
          {'{', '"', 'm', '"', ':', '"', (byte) 0xff, '"', '}'},           // never valid
          {'{', '"', 'm', '"', ':', '"', (byte) 0xc0, (byte) 0x80, '"', '}'}, // overlong NUL
          {'{', '"', 'm', '"', ':', '"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"', '}'}, // UTF-16 surrogate
          {'{', '"', 'm', '"', ':', '"', (byte) 0xe2, (byte) 0x82, '"', '}'}, // truncated sequence
      };
      for (byte[] b : bad) {
        ApiError e = parse(call(Endpoint.CHAT_COMPLETIONS, b));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo("invalid_encoding");
        assertThat(e.status()).isEqualTo(400);
      }
    }

    @Test
    void validMultibyteUtf8IsAccepted() {
      Call c = ok(Endpoint.CHAT_COMPLETIONS,
          "{'model':'m','messages':[{'role':'user','content':'héllo 😀 مرحبا \u202Eevil'}]}");
      assertThat(c.messages.get(0).content()).isEqualTo("héllo 😀 مرحبا \u202Eevil");
    }
  }

  @Nested
  class Chat {
    @Test
    void minimalRequest() {
      Call c = ok(Endpoint.CHAT_COMPLETIONS, "{'model':'gpt','messages':[{'role':'user','content':'hi'}]}");
      assertThat(c.model).isEqualTo("gpt");
      assertThat(c.messages).containsExactly(new ChatMessage("user", "hi"));
      assertThat(c.stream).isFalse();
      assertThat(c.clientWantsUsage).isFalse();
      assertThat(c.params).isEqualTo(SamplingParams.NONE);
      assertThat(c.json).isNotNull();
    }

    @Test
    void samplingParametersAreExtracted() {
      Call c = ok(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':[{'role':'user','content':'x'}],"
          + "'temperature':0.7,'top_p':1,'n':3,'max_tokens':50,'max_completion_tokens':80,'logprobs':true,"
          + "'top_logprobs':5,'seed':123456789012,'tools':[{},{}],'stream':true,"
          + "'stream_options':{'include_usage':true}}");
      assertThat(c.params).isEqualTo(new SamplingParams(0.7, 1.0, 3, 80, true, 5, 123456789012L, 2));
      assertThat(c.stream).isTrue();
      assertThat(c.clientWantsUsage).isTrue();
    }

    @Test
    void nullsCountAsAbsent() {
      Call c = ok(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':[{'role':'assistant','content':null}],"
          + "'temperature':null,'n':null,'stream':null,'stream_options':null,'seed':null,'tools':null,"
          + "'logprobs':null}");
      assertThat(c.messages).containsExactly(new ChatMessage("assistant", ""));
      assertThat(c.params).isEqualTo(SamplingParams.NONE);
    }

    @Test
    void contentPartsKeepTheirTextParts() {
      Call c = ok(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':[{'role':'system','content':'be brief'},"
          + "{'role':'user','content':[{'type':'text','text':'first'},"
          + "{'type':'image_url','image_url':{'url':'http://x/y.png'}},{'type':'text','text':'second'}]}]}");
      assertThat(c.messages).containsExactly(new ChatMessage("system", "be brief"),
          new ChatMessage("user", "first\nsecond"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'messages':[{'role':'user','content':'x'}]}                  | missing_required_parameter | model",
        "{'model':null,'messages':[{'role':'user','content':'x'}]}     | missing_required_parameter | model",
        "{'model':5,'messages':[{'role':'user','content':'x'}]}        | invalid_type | model",
        "{'model':'','messages':[{'role':'user','content':'x'}]}       | invalid_type | model",
        "{'model':['m'],'messages':[{'role':'user','content':'x'}]}    | invalid_type | model",
        "{'model':'m'}                                                 | missing_required_parameter | messages",
        "{'model':'m','messages':null}                                 | missing_required_parameter | messages",
        "{'model':'m','messages':'hi'}                                 | invalid_type | messages",
        "{'model':'m','messages':{}}                                   | invalid_type | messages",
        "{'model':'m','messages':[]}                                   | invalid_type | messages",
        "{'model':'m','messages':['hi']}                               | invalid_type | messages[0]",
        "{'model':'m','messages':[{'content':'x'}]}                    | invalid_type | messages[0].role",
        "{'model':'m','messages':[{'role':'','content':'x'}]}          | invalid_type | messages[0].role",
        "{'model':'m','messages':[{'role':7,'content':'x'}]}           | invalid_type | messages[0].role",
        "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'user','content':5}]} "
            + "| invalid_type | messages[1].content",
        "{'model':'m','messages':[{'role':'user','content':{'text':'x'}}]} | invalid_type | messages[0].content",
        "{'model':'m','messages':[{'role':'user','content':['x']}]}    | invalid_type | messages[0].content[0]",
        "{'model':'m','messages':[{'role':'user','content':[{'text':'x'}]}]} | invalid_type | messages[0].content[0]",
        "{'model':'m','messages':[{'role':'user','content':[{'type':'text','text':'a'},{'type':'text','text':3}]}]} "
            + "| invalid_type | messages[0].content[1].text",
        "{'model':'m','messages':[{'role':'user','content':[{'type':'text'}]}]} "
            + "| invalid_type | messages[0].content[0].text",
    })
    void wrongShapesNameTheParameter(String body, String code, String param) {
      ApiError e = error(Endpoint.CHAT_COMPLETIONS, body);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.param()).isEqualTo(param);
      assertThat(e.message()).contains(param);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "'stream':'yes'                          | stream",
        "'stream':1                              | stream",
        "'stream_options':true                   | stream_options",
        "'stream_options':{'include_usage':'y'}  | stream_options.include_usage",
        "'temperature':'hot'                     | temperature",
        "'top_p':[1]                             | top_p",
        "'n':0                                   | n",
        "'n':129                                 | n",
        "'n':1.5                                 | n",
        "'n':10000000000                         | n",
        "'max_tokens':0                          | max_tokens",
        "'max_tokens':'many'                     | max_tokens",
        "'max_completion_tokens':2.5             | max_completion_tokens",
        "'logprobs':'yes'                        | logprobs",
        "'top_logprobs':'5'                      | top_logprobs",
        "'seed':1.5                              | seed",
        "'seed':'42'                             | seed",
        "'tools':{}                              | tools",
    })
    void wrongParameterTypes(String field, String param) {
      ApiError e = error(Endpoint.CHAT_COMPLETIONS,
          "{'model':'m','messages':[{'role':'user','content':'x'}]," + field + "}");
      assertThat(e.code()).isEqualTo("invalid_type");
      assertThat(e.param()).isEqualTo(param);
    }
  }

  @Nested
  class Completions {
    @Test
    void promptString() {
      Call c = ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':'Once upon'}");
      assertThat(c.messages).containsExactly(new ChatMessage("prompt", "Once upon"));
    }

    @Test
    void promptArrayOfStrings() {
      Call c = ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':['a','b','c']}");
      assertThat(c.messages).extracting(ChatMessage::content).containsExactly("a", "b", "c");
      assertThat(c.messages).extracting(ChatMessage::role).containsOnly("prompt");
    }

    @Test
    void aTokenArrayIsOnePrompt() {
      Call c = ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':[1212,318,257]}");
      assertThat(c.messages).containsExactly(new ChatMessage("prompt", "[1212,318,257]"));
    }

    @Test
    void anArrayOfTokenArraysIsOnePromptEach() {
      Call c = ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':[[1,2],[3]]}");
      assertThat(c.messages).extracting(ChatMessage::content).containsExactly("[1,2]", "[3]");
    }

    @Test
    void legacyLogprobsIsACount() {
      assertThat(ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':'x','logprobs':5}").params.logprobs()).isTrue();
      assertThat(ok(Endpoint.COMPLETIONS, "{'model':'m','prompt':'x','logprobs':0}").params.logprobs()).isFalse();
    }

    @Test
    void streamAndUsage() {
      Call c = ok(Endpoint.COMPLETIONS,
          "{'model':'m','prompt':'x','stream':true,'stream_options':{'include_usage':false}}");
      assertThat(c.stream).isTrue();
      assertThat(c.clientWantsUsage).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'model':'m'}                    | missing_required_parameter | prompt",
        "{'model':'m','prompt':null}      | missing_required_parameter | prompt",
        "{'model':'m','prompt':5}         | invalid_type | prompt",
        "{'model':'m','prompt':{}}        | invalid_type | prompt",
        "{'model':'m','prompt':[]}        | invalid_type | prompt",
        "{'model':'m','prompt':['a',true]} | invalid_type | prompt[1]",
        "{'model':'m','prompt':['a',null]} | invalid_type | prompt[1]",
        "{'model':'m','prompt':['a',{}]}  | invalid_type | prompt[1]",
        "{'prompt':'x'}                   | missing_required_parameter | model",
    })
    void wrongPrompts(String body, String code, String param) {
      ApiError e = error(Endpoint.COMPLETIONS, body);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.param()).isEqualTo(param);
    }
  }

  @Nested
  class Embeddings {
    @Test
    void inputStringAndArray() {
      assertThat(ok(Endpoint.EMBEDDINGS, "{'model':'m','input':'hello'}").messages)
          .containsExactly(new ChatMessage("input", "hello"));
      assertThat(ok(Endpoint.EMBEDDINGS, "{'model':'m','input':['a','b']}").messages)
          .containsExactly(new ChatMessage("input", "a"), new ChatMessage("input", "b"));
    }

    @Test
    void generationParametersAreNotEmbeddingsBusiness() {
      Call c = ok(Endpoint.EMBEDDINGS, "{'model':'m','input':'x','stream':'not checked','n':-1}");
      assertThat(c.stream).isFalse();
      assertThat(c.params).isEqualTo(SamplingParams.NONE);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "{'model':'m'}                   | missing_required_parameter | input",
        "{'model':'m','input':3.5}       | invalid_type | input",
        "{'model':'m','input':[]}        | invalid_type | input",
        "{'model':'m','input':['x',1.5]} | invalid_type | input[1]",
        "{'input':'x'}                   | missing_required_parameter | model",
    })
    void wrongInputs(String body, String code, String param) {
      ApiError e = error(Endpoint.EMBEDDINGS, body);
      assertThat(e.code()).isEqualTo(code);
      assertThat(e.param()).isEqualTo(param);
    }
  }

  @Test
  void theMessagesListIsWhatTheExchangeRecordKeeps() {
    Call c = ok(Endpoint.CHAT_COMPLETIONS, "{'model':'m','messages':[{'role':'user','content':'a'},"
        + "{'role':'assistant','content':'b'},{'role':'tool','content':'c','tool_call_id':'t1'}]}");
    assertThat(c.messages).isEqualTo(List.of(new ChatMessage("user", "a"), new ChatMessage("assistant", "b"),
        new ChatMessage("tool", "c")));
  }
}
