package io.distillguard.flink;

import io.distillguard.linkage.Filing;
import io.distillguard.linkage.FilingAnswer;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.Observation;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** The binary forms of the records linkage's three stages pass each other, in the linkage library's own formats. */
final class LinkageSerializers {
  /** At most this many keys per exchange: an account is filed under at most 24 keys in all. */
  static final int MAX_KEYS = 64;

  private LinkageSerializers() {}

  /** {@link Observed}: the exchange ({@link ExchangeSerializer}), its observation, its number and its keys. */
  static final class ObservedSerializer extends RecordSerializer<Observed> {
    private static final long serialVersionUID = 1L;
    static final ObservedSerializer INSTANCE = new ObservedSerializer();
    static final TypeInformation<Observed> TYPE = new SerializerTypeInfo<>(Observed.class, INSTANCE);

    @Override
    public void serialize(Observed o, DataOutputView out) throws IOException {
      ExchangeSerializer.INSTANCE.serialize(o.exchange(), out);
      o.observation().write(out);
      out.writeLong(o.sequence());
      out.writeInt(o.keys().length);
      for (long k : o.keys()) {
        out.writeLong(k);
      }
    }

    @Override
    public Observed deserialize(DataInputView in) throws IOException {
      var exchange = ExchangeSerializer.INSTANCE.deserialize(in);
      Observation observation = Observation.read(in);
      long sequence = in.readLong();
      int n = in.readInt();
      if (n < 0 || n > MAX_KEYS) {
        throw new IOException("corrupt observed exchange: " + n + " keys");
      }
      long[] keys = new long[n];
      for (int i = 0; i < n; i++) {
        keys[i] = in.readLong();
      }
      return new Observed(exchange, observation, sequence, keys);
    }

    @Override
    public TypeSerializerSnapshot<Observed> snapshotConfiguration() {
      return new ObservedSnapshot();
    }
  }

  public static final class ObservedSnapshot extends SimpleTypeSerializerSnapshot<Observed> {
    public ObservedSnapshot() {
      super(() -> ObservedSerializer.INSTANCE);
    }
  }

  /** {@link Filing}. */
  static final class FilingSerializer extends RecordSerializer<Filing> {
    private static final long serialVersionUID = 1L;
    static final FilingSerializer INSTANCE = new FilingSerializer();
    static final TypeInformation<Filing> TYPE = new SerializerTypeInfo<>(Filing.class, INSTANCE);

    @Override
    public void serialize(Filing f, DataOutputView out) throws IOException {
      f.write(out);
    }

    @Override
    public Filing deserialize(DataInputView in) throws IOException {
      return Filing.read(in);
    }

    @Override
    public TypeSerializerSnapshot<Filing> snapshotConfiguration() {
      return new FilingSnapshot();
    }
  }

  public static final class FilingSnapshot extends SimpleTypeSerializerSnapshot<Filing> {
    public FilingSnapshot() {
      super(() -> FilingSerializer.INSTANCE);
    }
  }

  /** {@link FilingAnswer}, with the default bucket sizes (the job's linkage configuration). */
  static final class AnswerSerializer extends RecordSerializer<FilingAnswer> {
    private static final long serialVersionUID = 1L;
    static final AnswerSerializer INSTANCE = new AnswerSerializer();
    static final TypeInformation<FilingAnswer> TYPE = new SerializerTypeInfo<>(FilingAnswer.class, INSTANCE);
    private static final LinkageConfig CONFIG = LinkageConfig.defaults();

    @Override
    public void serialize(FilingAnswer a, DataOutputView out) throws IOException {
      a.write(out);
    }

    @Override
    public FilingAnswer deserialize(DataInputView in) throws IOException {
      return FilingAnswer.read(in, CONFIG);
    }

    @Override
    public TypeSerializerSnapshot<FilingAnswer> snapshotConfiguration() {
      return new AnswerSnapshot();
    }
  }

  public static final class AnswerSnapshot extends SimpleTypeSerializerSnapshot<FilingAnswer> {
    public AnswerSnapshot() {
      super(() -> AnswerSerializer.INSTANCE);
    }
  }
}
