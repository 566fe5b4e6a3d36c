package io.distillguard.flink;

import io.distillguard.core.wire.VerdictCodec;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.core.wire.WireFormatException;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link VerdictEvent} between operators in its wire form ({@link VerdictCodec}): verdicts are rare (one per rise
 * of a level), so the JSON costs nothing that matters, and the job then has one definition of a verdict's fields.
 */
public final class VerdictEventSerializer extends TypeSerializerSingleton<VerdictEvent> {
  private static final long serialVersionUID = 1L;
  public static final VerdictEventSerializer INSTANCE = new VerdictEventSerializer();
  public static final TypeInformation<VerdictEvent> TYPE = new SerializerTypeInfo<>(VerdictEvent.class, INSTANCE);

  @Override
  public boolean isImmutableType() {
    return true;
  }

  @Override
  public VerdictEvent createInstance() {
    return null;
  }

  @Override
  public VerdictEvent copy(VerdictEvent from) {
    return from;
  }

  @Override
  public VerdictEvent copy(VerdictEvent from, VerdictEvent reuse) {
    return from;
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(VerdictEvent v, DataOutputView out) throws IOException {
    byte[] b = VerdictCodec.encode(v);
    out.writeInt(b.length);
    out.write(b);
  }

  @Override
  public VerdictEvent deserialize(DataInputView in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 64 << 20) {
      throw new IOException("corrupt verdict record of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    try {
      return VerdictCodec.decode(b);
    } catch (WireFormatException e) {
      throw new IOException("corrupt verdict record: " + e.getMessage(), e);
    }
  }

  @Override
  public VerdictEvent deserialize(VerdictEvent reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    int n = in.readInt();
    out.writeInt(n);
    out.write(in, n);
  }

  @Override
  public TypeSerializerSnapshot<VerdictEvent> snapshotConfiguration() {
    return new Snapshot();
  }

  public static final class Snapshot extends SimpleTypeSerializerSnapshot<VerdictEvent> {
    public Snapshot() {
      super(() -> INSTANCE);
    }
  }
}
