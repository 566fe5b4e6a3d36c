package io.distillguard.core.detect;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of an {@link AccountState} for one engine's detectors: what a keyed stream operator writes to its
 * state backend (a RocksDB backend writes it on every access, a heap backend on every checkpoint). Each detector's
 * state is written field by field ({@link StateLayout}); nothing is written by class name, so reading never
 * instantiates a class the bytes name.
 *
 * <p>{@link #layout()} describes the format exactly (detector names, state classes, fields and array lengths): a
 * checkpoint written under one layout is read back only by a codec with the same layout, which a stream job checks
 * when it restores.
 */
public final class AccountStateCodec {
  /** Version of the envelope around the detector states. */
  static final int FORMAT = 1;

  private final List<Detector<Object>> detectors;
  private final StateLayout[] layouts;
  private final String layout;

  @SuppressWarnings("unchecked")
  AccountStateCodec(List<? extends Detector<?>> detectors) {
    this.detectors = new ArrayList<>();
    for (Detector<?> d : detectors) {
      this.detectors.add((Detector<Object>) d);
    }
    layouts = new StateLayout[this.detectors.size()];
    StringBuilder sb = new StringBuilder("account-state/").append(FORMAT);
    for (int i = 0; i < layouts.length; i++) {
      Object template = this.detectors.get(i).newState();
      layouts[i] = StateLayout.of(template.getClass());
      sb.append('\n').append(this.detectors.get(i).name()).append('=').append(layouts[i].describe(template));
    }
    layout = sb.toString();
  }

  /** The exact format this codec writes and reads; equal layouts mean compatible bytes. */
  public String layout() {
    return layout;
  }

  public void write(AccountState s, DataOutput out) throws IOException {
    out.writeByte(FORMAT);
    StateIo.writeString(out, s.accountId);
    StateIo.writeString(out, s.tier);
    out.writeLong(s.exchanges);
    out.writeByte(s.level.ordinal());
    out.writeDouble(s.score);
    out.writeDouble(s.cheapScore);
    if (s.externals == null) {
      out.writeInt(-1);
    } else {
      out.writeInt(s.externals.size());
      for (DetectionEngine.External x : s.externals.values()) {
        Signal g = x.signal();
        StateIo.writeString(out, g.detector());
        out.writeDouble(g.suspicion());
        out.writeLong(g.evidence());
        StateIo.writeString(out, g.explanation());
        out.writeDouble(x.weight());
      }
    }
    out.writeInt(layouts.length);
    for (int i = 0; i < layouts.length; i++) {
      Object state = s.states[i];
      if (state.getClass() != layouts[i].type()) {
        throw new IllegalArgumentException("state of detector " + detectors.get(i).name() + " is a "
            + state.getClass().getName() + ", not this codec's " + layouts[i].type().getName());
      }
      layouts[i].write(state, out);
    }
  }

  /**
   * Reads a state written by a codec of the same {@link #layout()}.
   *
   * @throws IOException for truncated or corrupt bytes, or bytes of another layout where it shows
   */
  public AccountState read(DataInput in) throws IOException {
    int format = in.readUnsignedByte();
    if (format != FORMAT) {
      throw new IOException("account state format " + format + " is not the supported " + FORMAT);
    }
    String accountId = StateIo.readString(in);
    String tier = StateIo.readString(in);
    long exchanges = in.readLong();
    int level = in.readUnsignedByte();
    if (level >= RiskLevel.values().length) {
      throw new IOException("account state has unknown level ordinal " + level);
    }
    double score = in.readDouble();
    double cheap = in.readDouble();
    int nExternal = in.readInt();
    Map<String, DetectionEngine.External> externals = null;
    if (nExternal >= 0) {
      if (nExternal > 1024) {
        throw new IOException("implausible number of external findings " + nExternal);
      }
      externals = new LinkedHashMap<>(4);
      for (int i = 0; i < nExternal; i++) {
        String detector = StateIo.readString(in);
        double suspicion = in.readDouble();
        long evidence = in.readLong();
        String explanation = StateIo.readString(in);
        double weight = in.readDouble();
        Signal g;
        try {
          g = new Signal(detector, suspicion, evidence, explanation);
        } catch (IllegalArgumentException e) {
          throw new IOException("corrupt external finding: " + e.getMessage(), e);
        }
        externals.put(detector, new DetectionEngine.External(g, weight));
      }
    }
    int n = in.readInt();
    if (n != layouts.length) {
      throw new IOException("account state holds " + n + " detector states; this engine has " + layouts.length);
    }
    Object[] states = new Object[n];
    for (int i = 0; i < n; i++) {
      states[i] = detectors.get(i).newState();
      layouts[i].readInto(states[i], in);
    }
    AccountState s = new AccountState(accountId, states, tier);
    s.exchanges = exchanges;
    s.level = RiskLevel.values()[level];
    s.score = score;
    s.cheapScore = cheap;
    s.externals = externals;
    return s;
  }

  /** The state as bytes. */
  public byte[] toBytes(AccountState s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      write(s, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A state from {@link #toBytes}. */
  public AccountState fromBytes(byte[] b) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
    AccountState s = read(in);
    if (in.available() > 0) {
      throw new IOException(in.available() + " bytes left over after an account state");
    }
    return s;
  }

  /** A deep copy (through the binary form, so a copy is exactly what a checkpoint would restore). */
  public AccountState copy(AccountState s) {
    try {
      return fromBytes(toBytes(s));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
