package io.distillguard.flink;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.StateIo;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Binary form of an {@link Exchange} between the job's operators (a shuffle per exchange: the JSON wire form would
 * cost a parse each time). Every component is written in record order; nullable ones behind a presence flag.
 * {@link Exchange} is immutable, so copies are the same object.
 */
public final class ExchangeSerializer extends TypeSerializerSingleton<Exchange> {
  private static final long serialVersionUID = 1L;
  public static final ExchangeSerializer INSTANCE = new ExchangeSerializer();
  public static final TypeInformation<Exchange> TYPE = new SerializerTypeInfo<>(Exchange.class, INSTANCE);
  private static final Outcome[] OUTCOMES = Outcome.values();

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public Exchange createInstance() {
    return null;
  }

  @Override
  public Exchange copy(Exchange from) {
    return from;
  }

  @Override
  public Exchange copy(Exchange from, Exchange reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Exchange e, DataOutputView out) throws IOException {
    string(out, e.id());
    out.writeLong(e.eventTime().getEpochSecond());
    out.writeInt(e.eventTime().getNano());
    string(out, e.accountId());
    string(out, e.keyId());
    string(out, e.clientIp());
    string(out, e.userAgent());
    string(out, e.headerFingerprint());
    string(out, e.endpoint());
    string(out, e.model());
    SamplingParams p = e.params();
    out.writeByte((p.temperature() != null ? 1 : 0) | (p.topP() != null ? 2 : 0) | (p.n() != null ? 4 : 0)
        | (p.maxTokens() != null ? 8 : 0) | (p.logprobs() != null ? 16 : 0) | (p.topLogprobs() != null ? 32 : 0)
        | (p.seed() != null ? 64 : 0));
    if (p.temperature() != null) {
      out.writeDouble(p.temperature());
    }
    if (p.topP() != null) {
      out.writeDouble(p.topP());
    }
    if (p.n() != null) {
      out.writeInt(p.n());
    }
    if (p.maxTokens() != null) {
      out.writeInt(p.maxTokens());
    }
    if (p.logprobs() != null) {
      out.writeBoolean(p.logprobs());
    }
    if (p.topLogprobs() != null) {
      out.writeInt(p.topLogprobs());
    }
    if (p.seed() != null) {
      out.writeLong(p.seed());
    }
    out.writeInt(p.tools());
    out.writeBoolean(e.stream());
    out.writeInt(e.messages().size());
    for (ChatMessage m : e.messages()) {
      string(out, m.role());
      string(out, m.content());
    }
    string(out, e.responseText());
    string(out, e.promptSha256());
    out.writeInt(e.promptChars());
    string(out, e.responseSha256());
    out.writeInt(e.responseChars());
    out.writeInt(e.promptTokens());
    out.writeInt(e.completionTokens());
    out.writeInt(e.status());
    out.writeByte(e.outcome().ordinal());
    string(out, e.errorCode());
    out.writeLong(e.latencyMicros());
    out.writeLong(e.upstreamMicros());
    out.writeLong(e.firstByteMicros());
    string(out, e.accountTier());
  }

  @Override
  public Exchange deserialize(DataInputView in) throws IOException {
    String id = string(in);
    Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
    String account = string(in);
    String key = string(in);
    String ip = string(in);
    String agent = string(in);
    String fingerprint = string(in);
    String endpoint = string(in);
    String model = string(in);
    int flags = in.readUnsignedByte();
    Double temperature = (flags & 1) != 0 ? in.readDouble() : null;
    Double topP = (flags & 2) != 0 ? in.readDouble() : null;
    Integer n = (flags & 4) != 0 ? in.readInt() : null;
    Integer maxTokens = (flags & 8) != 0 ? in.readInt() : null;
    Boolean logprobs = (flags & 16) != 0 ? in.readBoolean() : null;
    Integer topLogprobs = (flags & 32) != 0 ? in.readInt() : null;
    Long seed = (flags & 64) != 0 ? in.readLong() : null;
    SamplingParams params = new SamplingParams(temperature, topP, n, maxTokens, logprobs, topLogprobs, seed,
        in.readInt());
    boolean stream = in.readBoolean();
    int count = in.readInt();
    if (count < 0 || count > 1_000_000) {
      throw new IOException("corrupt exchange record: " + count + " messages");
    }
    List<ChatMessage> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(new ChatMessage(string(in), string(in)));
    }
    String response = string(in);
    String promptSha = string(in);
    int promptChars = in.readInt();
    String responseSha = string(in);
    int responseChars = in.readInt();
    int promptTokens = in.readInt();
    int completionTokens = in.readInt();
    int status = in.readInt();
    int outcome = in.readUnsignedByte();
    if (outcome >= OUTCOMES.length) {
      throw new IOException("corrupt exchange record: outcome " + outcome);
    }
    String errorCode = string(in);
    long latency = in.readLong();
    long upstream = in.readLong();
    long firstByte = in.readLong();
    return new Exchange(id, at, account, key, ip, agent, fingerprint, endpoint, model, params, stream, messages,
        response, promptSha, promptChars, responseSha, responseChars, promptTokens, completionTokens, status,
        OUTCOMES[outcome], errorCode, latency, upstream, firstByte, string(in));
  }

  @Override
  public Exchange deserialize(Exchange reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<Exchange> snapshotConfiguration() {
    return new Snapshot();
  }

  /** Strings may exceed writeUTF's 64 KB (prompts do), so {@link StateIo}'s form: length, UTF-8 bytes; null as -1. */
  static void string(DataOutputView out, String s) throws IOException {
    StateIo.writeString(out, s);
  }

  static String string(DataInputView in) throws IOException {
    return StateIo.readString(in, 256 << 20, "corrupt record: string length");
  }

  /**
   * The format has one version so far (the account's tier was appended before any checkpoint held an exchange:
   * exchanges only cross the network between operators, never sit in state); a later one would read this one and say
   * so here.
   */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Exchange> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
