package io.distillguard.flink;

import io.distillguard.linkage.AccountKeys;
import io.distillguard.linkage.KeyMembers;
import io.distillguard.linkage.LinkageConfig;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Flink's serializers for the state of linkage's two keyed stages, in the linkage library's own binary forms. Kept
 * as objects, so a heap backend serializes them only for checkpoints (and copies them, through {@link #copy}, when
 * an asynchronous snapshot is running while they change); RocksDB on every access.
 */
final class LinkageStateSerializers {
  private LinkageStateSerializers() {}

  /** The mutable state types: copies are deep, made through the binary form. */
  abstract static class Mutable<T> extends RecordSerializer<T> {
    private static final long serialVersionUID = 1L;

    @Override
    public final boolean isImmutableType() {
      return false;
    }

    @Override
    public final T copy(T from) {
      if (from == null) {
        return null;
      }
      try {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serialize(from, out);
        return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
      } catch (IOException e) {
        throw new IllegalStateException("could not copy linkage state", e);
      }
    }
  }

  /** {@link AccountKeys}: the stage keyed by account. */
  static final class AccountKeysSerializer extends Mutable<AccountKeys> {
    private static final long serialVersionUID = 1L;
    static final AccountKeysSerializer INSTANCE = new AccountKeysSerializer();

    @Override
    public void serialize(AccountKeys k, DataOutputView out) throws IOException {
      k.write(out);
    }

    @Override
    public AccountKeys deserialize(DataInputView in) throws IOException {
      return AccountKeys.read(in);
    }

    @Override
    public TypeSerializerSnapshot<AccountKeys> snapshotConfiguration() {
      return new AccountKeysSnapshot();
    }
  }

  public static final class AccountKeysSnapshot extends SimpleTypeSerializerSnapshot<AccountKeys> {
    public AccountKeysSnapshot() {
      super(() -> AccountKeysSerializer.INSTANCE);
    }
  }

  /** {@link KeyMembers}, with the default bucket sizes (the job's linkage configuration). */
  static final class KeyMembersSerializer extends Mutable<KeyMembers> {
    private static final long serialVersionUID = 1L;
    static final KeyMembersSerializer INSTANCE = new KeyMembersSerializer();
    private static final LinkageConfig CONFIG = LinkageConfig.defaults();

    @Override
    public void serialize(KeyMembers m, DataOutputView out) throws IOException {
      m.write(out);
    }

    @Override
    public KeyMembers deserialize(DataInputView in) throws IOException {
      return KeyMembers.read(in, CONFIG);
    }

    @Override
    public TypeSerializerSnapshot<KeyMembers> snapshotConfiguration() {
      return new KeyMembersSnapshot();
    }
  }

  public static final class KeyMembersSnapshot extends SimpleTypeSerializerSnapshot<KeyMembers> {
    public KeyMembersSnapshot() {
      super(() -> KeyMembersSerializer.INSTANCE);
    }
  }
}
