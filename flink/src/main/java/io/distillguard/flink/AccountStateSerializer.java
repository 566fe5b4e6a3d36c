package io.distillguard.flink;

import io.distillguard.core.detect.AccountState;
import io.distillguard.core.detect.AccountStateCodec;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializer for an account's detection state: the core library's {@link AccountStateCodec} for the job's
 * engine. A RocksDB backend calls it on every read and write of the state, a heap backend on checkpoints (and on
 * copy-on-write during asynchronous snapshots, through {@link #copy}).
 *
 * <p>The snapshot written with a checkpoint holds the engine spec and the codec's exact layout; a job restored with
 * detectors whose state layout differs is refused with both layouts in the message, rather than reading garbage.
 */
public final class AccountStateSerializer extends TypeSerializer<AccountState> {
  private static final long serialVersionUID = 1L;
  private final EngineSpec spec;
  private transient AccountStateCodec codec;

  public AccountStateSerializer(EngineSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
  }

  private AccountStateCodec codec() {
    AccountStateCodec c = codec;
    if (c == null) {
      c = spec.engine().stateCodec();
      codec = c;
    }
    return c;
  }

  EngineSpec spec() {
    return spec;
  }

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<AccountState> duplicate() {
    return new AccountStateSerializer(spec); // the codec is stateless but cheap to rebuild; keep instances apart
  }

  @Override
  public AccountState createInstance() {
    return null;
  }

  @Override
  public AccountState copy(AccountState from) {
    return from == null ? null : codec().copy(from);
  }

  @Override
  public AccountState copy(AccountState from, AccountState reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(AccountState s, DataOutputView out) throws IOException {
    codec().write(s, out);
  }

  @Override
  public AccountState deserialize(DataInputView in) throws IOException {
    return codec().read(in);
  }

  @Override
  public AccountState deserialize(AccountState reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView in, DataOutputView out) throws IOException {
    serialize(deserialize(in), out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AccountStateSerializer s && s.spec.equals(spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<AccountState> snapshotConfiguration() {
    return new Snapshot(spec, codec().layout());
  }

  /** The engine spec and the state layout a checkpoint was written with. */
  public static final class Snapshot implements TypeSerializerSnapshot<AccountState> {
    private static final int VERSION = 1;
    private EngineSpec spec;
    private String layout;

    /** For Flink, which instantiates snapshots by class name and then reads them. */
    public Snapshot() {}

    Snapshot(EngineSpec spec, String layout) {
      this.spec = spec;
      this.layout = layout;
    }

    @Override
    public int getCurrentVersion() {
      return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
      ExchangeSerializer.string(out, spec.detectorSet());
      ExchangeSerializer.string(out, spec.modelText());
      ExchangeSerializer.string(out, layout);
    }

    @Override
    public void readSnapshot(int version, DataInputView in, ClassLoader loader) throws IOException {
      if (version != VERSION) {
        throw new IOException("account state serializer snapshot version " + version + " is not " + VERSION);
      }
      String set = ExchangeSerializer.string(in);
      String model = ExchangeSerializer.string(in);
      spec = new EngineSpec(set, model);
      layout = ExchangeSerializer.string(in);
    }

    @Override
    public TypeSerializer<AccountState> restoreSerializer() {
      AccountStateSerializer s = new AccountStateSerializer(spec);
      if (!s.codec().layout().equals(layout)) {
        throw new IllegalStateException("the checkpoint's account states were written for another detector "
            + "state layout than this build's " + spec + "; checkpoint:\n" + layout + "\nthis build:\n"
            + s.codec().layout());
      }
      return s;
    }

    @Override
    public TypeSerializerSchemaCompatibility<AccountState> resolveSchemaCompatibility(
        TypeSerializerSnapshot<AccountState> old) {
      if (!(old instanceof Snapshot o)) {
        return TypeSerializerSchemaCompatibility.incompatible();
      }
      return o.layout.equals(layout) ? TypeSerializerSchemaCompatibility.compatibleAsIs()
          : TypeSerializerSchemaCompatibility.incompatible();
    }

    String layout() {
      return layout;
    }
  }
}
