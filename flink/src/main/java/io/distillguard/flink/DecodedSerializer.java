package io.distillguard.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Binary form of a {@link Decoded} between operators: a tag byte (1 exchange, 2 rejection), then the exchange as
 * {@link ExchangeSerializer} writes it, or the rejection's reason, size, partition and offset. Immutable values, so
 * copies are the same object.
 */
public final class DecodedSerializer extends TypeSerializerSingleton<Decoded> {
  private static final long serialVersionUID = 1L;
  public static final DecodedSerializer INSTANCE = new DecodedSerializer();
  public static final TypeInformation<Decoded> TYPE = new SerializerTypeInfo<>(Decoded.class, INSTANCE);
  private static final int EXCHANGE = 1;
  private static final int REJECTED = 2;

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public Decoded createInstance() {
    return null;
  }

  @Override
  public Decoded copy(Decoded from) {
    return from;
  }

  @Override
  public Decoded copy(Decoded from, Decoded reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(Decoded d, DataOutputView out) throws IOException {
    if (d.exchange() != null) {
      out.writeByte(EXCHANGE);
      ExchangeSerializer.INSTANCE.serialize(d.exchange(), out);
      return;
    }
    Rejected r = d.rejected();
    out.writeByte(REJECTED);
    ExchangeSerializer.string(out, r.reason());
    out.writeInt(r.bytes());
    out.writeInt(r.partition());
    out.writeLong(r.offset());
  }

  @Override
  public Decoded deserialize(DataInputView in) throws IOException {
    int tag = in.readUnsignedByte();
    return switch (tag) {
      case EXCHANGE -> new Decoded(ExchangeSerializer.INSTANCE.deserialize(in), null);
      case REJECTED -> new Decoded(null, new Rejected(ExchangeSerializer.string(in), in.readInt(), in.readInt(),
          in.readLong()));
      default -> throw new IOException("corrupt decoded record: tag " + tag);
    };
  }

  @Override
  public Decoded deserialize(Decoded reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public TypeSerializerSnapshot<Decoded> snapshotConfiguration() {
    return new Snapshot();
  }

  /** The format has one version so far. */
  public static final class Snapshot extends SimpleTypeSerializerSnapshot<Decoded> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
