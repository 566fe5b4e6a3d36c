package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.core.detect.AccountState;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.wire.ExchangeCodec;
import java.io.IOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The job's own Flink serializers: exact round trips, and a clear refusal of what they cannot read. */
class SerializersTest {

  static <T> byte[] write(TypeSerializer<T> s, T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    s.serialize(value, out);
    return out.getCopyOfBuffer();
  }

  static <T> T read(TypeSerializer<T> s, byte[] bytes) throws IOException {
    return s.deserialize(new DataInputDeserializer(bytes));
  }

  @Test
  void exchangesRoundTripExactlyIncludingNullsAndLongText() throws IOException {
    List<Exchange> events = TestTraffic.world(5, 10, 1, 5, 3).events;
    for (Exchange e : events) {
      assertThat(read(ExchangeSerializer.INSTANCE, write(ExchangeSerializer.INSTANCE, e))).isEqualTo(e);
    }
    String big = "x".repeat(100_000) + "\u00e9\u4e2d";
    Exchange sparse = new Exchange("id", Instant.ofEpochSecond(5, 123_456_789), null, null, null, null, null,
        "/v1/embeddings", null, new SamplingParams(null, 0.5, null, null, false, null, null, 2), true,
        List.of(new ChatMessage(null, big), new ChatMessage("user", null)), null, null, 0, null, 0, 0, 0, 499,
        Outcome.CLIENT_CANCELLED, "cancelled", -1, 0, 0);
    assertThat(read(ExchangeSerializer.INSTANCE, write(ExchangeSerializer.INSTANCE, sparse))).isEqualTo(sparse);
  }

  /** Linkage's records between its three stages, from a run of its two keyed stages in process. */
  @Test
  void linkageRecordsRoundTripAndCorruptOnesFailWithAnIoException() throws IOException {
    var config = io.distillguard.linkage.LinkageConfig.defaults();
    java.util.Map<String, io.distillguard.linkage.AccountKeys> accounts = new java.util.HashMap<>();
    java.util.Map<Long, io.distillguard.linkage.KeyMembers> keys = new java.util.HashMap<>();
    int filings = 0;
    int mirrored = 0;
    for (Exchange e : TestTraffic.world(5, 40, 1, 20, 3).events) {
      var o = io.distillguard.linkage.Observation.of(e);
      var ak = accounts.computeIfAbsent(e.accountId(), io.distillguard.linkage.AccountKeys::new);
      long[] filed = ak.observe(o);
      Observed observed = new Observed(e, o, ak.exchanges(), filed);
      assertThat(read(LinkageSerializers.ObservedSerializer.INSTANCE,
          write(LinkageSerializers.ObservedSerializer.INSTANCE, observed))).isEqualTo(observed);
      for (long k : filed) {
        var f = new io.distillguard.linkage.Filing(k, e.accountId(), ak.exchanges());
        assertThat(read(LinkageSerializers.FilingSerializer.INSTANCE,
            write(LinkageSerializers.FilingSerializer.INSTANCE, f))).isEqualTo(f);
        var a = keys.computeIfAbsent(k, x -> new io.distillguard.linkage.KeyMembers(config)).file(f);
        assertThat(read(LinkageSerializers.AnswerSerializer.INSTANCE,
            write(LinkageSerializers.AnswerSerializer.INSTANCE, a))).isEqualTo(a);
        filings++;
        mirrored += a.mirrored() ? 1 : 0;
      }
    }
    assertThat(filings).isGreaterThan(100);
    assertThat(mirrored).isPositive().isLessThan(filings);

    Exchange e = TestTraffic.world(5, 1, 0, 0, 3).events.get(0);
    byte[] ok = write(LinkageSerializers.ObservedSerializer.INSTANCE,
        new Observed(e, io.distillguard.linkage.Observation.of(e), 1, new long[] {5, 6}));
    assertThatThrownBy(() -> read(LinkageSerializers.ObservedSerializer.INSTANCE, Arrays.copyOf(ok, ok.length - 3)))
        .isInstanceOf(IOException.class);
    byte[] tooMany = ok.clone();
    tooMany[ok.length - 8 * 2 - 4] = 0x7f; // the key count's top byte
    assertThatThrownBy(() -> read(LinkageSerializers.ObservedSerializer.INSTANCE, tooMany))
        .isInstanceOf(IOException.class).hasMessageContaining("keys");
    assertThatThrownBy(() -> read(LinkageSerializers.FilingSerializer.INSTANCE, new byte[8]))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> read(LinkageSerializers.AnswerSerializer.INSTANCE, new byte[3]))
        .isInstanceOf(IOException.class);
  }

  @Test
  void theWireFormatKeepsEveryFieldDetectionReads() {
    for (Exchange e : TestTraffic.world(5, 10, 1, 5, 3).events) {
      assertThat(ExchangeCodec.decode(ExchangeCodec.encodeEvent(e))).isEqualTo(e);
    }
  }

  @Test
  void aCorruptExchangeRecordFailsWithAnIoException() throws IOException {
    byte[] ok = write(ExchangeSerializer.INSTANCE, TestTraffic.world(5, 1, 0, 0, 3).events.get(0));
    assertThatThrownBy(() -> read(ExchangeSerializer.INSTANCE, Arrays.copyOf(ok, ok.length / 2)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void accountStatesRoundTripAndSnapshotsCheckTheLayout() throws IOException {
    EngineSpec spec = EngineSpec.defaults();
    DetectionEngine engine = spec.engine();
    AccountState s = engine.newState("harvester-0");
    for (Exchange e : TestTraffic.world(3, 0, 1, 0, 2).events) {
      engine.accept(s, e);
    }
    AccountStateSerializer serializer = new AccountStateSerializer(spec);
    byte[] bytes = write(serializer, s);
    AccountState back = read(serializer, bytes);
    assertThat(write(serializer, back)).isEqualTo(bytes);
    assertThat(engine.risk(back)).isEqualTo(engine.risk(s));
    assertThat(write(serializer, serializer.copy(s))).isEqualTo(bytes);

    TypeSerializerSnapshot<AccountState> snapshot = serializer.snapshotConfiguration();
    DataOutputSerializer out = new DataOutputSerializer(4096);
    TypeSerializerSnapshot.writeVersionedSnapshot(out, snapshot);
    TypeSerializerSnapshot<AccountState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
        new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
    assertThat(restored.restoreSerializer()).isEqualTo(serializer);
    assertThat(serializer.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();

    AccountStateSerializer baseline = new AccountStateSerializer(new EngineSpec("baseline", null));
    TypeSerializerSchemaCompatibility<AccountState> other =
        baseline.snapshotConfiguration().resolveSchemaCompatibility(restored);
    assertThat(other.isIncompatible()).isTrue();
    assertThatThrownBy(() -> read(baseline, bytes)).isInstanceOf(IOException.class);
  }

  @Test
  void chunkedStateReadsBackAcrossChunkBoundaries() throws Exception {
    List<byte[]> chunks = new java.util.ArrayList<>();
    String text = "\u00e9\u4e2d" + "y".repeat(70_000); // longer than writeUTF allows
    try (ChunkedStreams.Output out = new ChunkedStreams.Output(7, chunks::add)) {
      out.data().writeInt(42);
      ChunkedStreams.writeString(out.data(), text);
      ChunkedStreams.writeString(out.data(), null);
      for (long i = 0; i < 1000; i++) {
        out.data().writeLong(i * 31);
      }
    }
    assertThat(chunks).allMatch(c -> c.length <= 7 && c.length > 0);
    var in = ChunkedStreams.input(chunks);
    assertThat(in.readInt()).isEqualTo(42);
    assertThat(ChunkedStreams.readString(in)).isEqualTo(text);
    assertThat(ChunkedStreams.readString(in)).isNull();
    for (long i = 0; i < 1000; i++) {
      assertThat(in.readLong()).isEqualTo(i * 31);
    }
    assertThat(in.read()).isEqualTo(-1);
    assertThatThrownBy(() -> new ChunkedStreams.Output(0, c -> { })).isInstanceOf(IllegalArgumentException.class);
  }
}
