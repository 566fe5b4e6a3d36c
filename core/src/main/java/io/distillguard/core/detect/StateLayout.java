package io.distillguard.core.detect;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Writes and reads a detector's state object field by field, so it can be checkpointed without Java serialization
 * or a general-purpose object serializer. Detector states are plain holders of primitives, primitive arrays and
 * nested holders of the same kind ({@link Detector} requires explicit, bounded state), which is all this supports;
 * a state class with any other field is refused when its layout is built, naming the field, so a new detector with
 * an unsupported state fails its round-trip test rather than a checkpoint.
 *
 * <p>Reading fills an instance the detector made ({@link Detector#newState()}): final arrays and nested holders are
 * filled in place (their lengths must match what was written), other fields are set. Fields are taken in name order,
 * instance fields of superclasses included; static and transient fields are skipped.
 */
final class StateLayout {
  private static final ClassValue<StateLayout> LAYOUTS = new ClassValue<>() {
    @Override
    protected StateLayout computeValue(Class<?> type) {
      return new StateLayout(type);
    }
  };

  private enum Kind { BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, STRING, ARRAY, NESTED }

  private record Slot(Field field, Kind kind, Class<?> component, boolean fixed) {}

  private final Class<?> type;
  private final Slot[] slots;

  private StateLayout(Class<?> type) {
    this.type = type;
    if (type.isArray() || type.isPrimitive() || type.getName().startsWith("java.")) {
      throw new IllegalArgumentException("detector state of type " + type.getName() + " cannot be written by a "
          + "state codec: a detector state is a class of its own holding primitives, primitive arrays, strings and "
          + "final nested holders");
    }
    List<Field> fields = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        int m = f.getModifiers();
        if (!Modifier.isStatic(m) && !Modifier.isTransient(m) && !f.isSynthetic()) {
          fields.add(f);
        }
      }
    }
    fields.sort(Comparator.comparing((Field f) -> f.getName()).thenComparing(f -> f.getDeclaringClass().getName()));
    slots = new Slot[fields.size()];
    for (int i = 0; i < slots.length; i++) {
      Field f = fields.get(i);
      slots[i] = slot(type, f);
      f.setAccessible(true);
    }
  }

  private static Slot slot(Class<?> owner, Field f) {
    Class<?> t = f.getType();
    boolean fin = Modifier.isFinal(f.getModifiers());
    if (t.isPrimitive()) {
      return new Slot(f, Kind.valueOf(t.getName().toUpperCase(java.util.Locale.ROOT)), null, fin);
    }
    if (t == String.class) {
      return new Slot(f, Kind.STRING, null, fin);
    }
    if (t.isArray() && t.getComponentType().isPrimitive()) {
      return new Slot(f, Kind.ARRAY, t.getComponentType(), fin);
    }
    if (fin && !t.isArray() && !t.isInterface() && !java.util.Collection.class.isAssignableFrom(t)
        && !java.util.Map.class.isAssignableFrom(t) && !t.getName().startsWith("java.")) {
      return new Slot(f, Kind.NESTED, null, true);
    }
    throw new IllegalArgumentException("detector state " + owner.getName() + " has field '" + f.getName()
        + "' of type " + t.getName() + ", which a state codec cannot write: detector states hold primitives, "
        + "primitive arrays, strings and final nested holders of the same kind");
  }

  /** The layout of a state class (built once per class). */
  static StateLayout of(Class<?> type) {
    return LAYOUTS.get(type);
  }

  Class<?> type() {
    return type;
  }

  void write(Object state, DataOutput out) throws IOException {
    try {
      for (Slot s : slots) {
        Field f = s.field;
        switch (s.kind) {
          case BOOLEAN -> out.writeBoolean(f.getBoolean(state));
          case BYTE -> out.writeByte(f.getByte(state));
          case SHORT -> out.writeShort(f.getShort(state));
          case CHAR -> out.writeChar(f.getChar(state));
          case INT -> out.writeInt(f.getInt(state));
          case LONG -> out.writeLong(f.getLong(state));
          case FLOAT -> out.writeFloat(f.getFloat(state));
          case DOUBLE -> out.writeDouble(f.getDouble(state));
          case STRING -> StateIo.writeString(out, (String) f.get(state));
          case ARRAY -> writeArray(out, f.get(state), s.component);
          case NESTED -> {
            Object nested = f.get(state);
            if (nested == null) {
              throw new IOException("nested state " + f.getName() + " of " + type.getName() + " is null");
            }
            of(nested.getClass()).write(nested, out);
          }
          default -> throw new AssertionError(s.kind);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("state field not accessible in " + type.getName(), e);
    }
  }

  void readInto(Object state, DataInput in) throws IOException {
    try {
      for (Slot s : slots) {
        Field f = s.field;
        switch (s.kind) {
          case BOOLEAN -> f.setBoolean(state, in.readBoolean());
          case BYTE -> f.setByte(state, in.readByte());
          case SHORT -> f.setShort(state, in.readShort());
          case CHAR -> f.setChar(state, in.readChar());
          case INT -> f.setInt(state, in.readInt());
          case LONG -> f.setLong(state, in.readLong());
          case FLOAT -> f.setFloat(state, in.readFloat());
          case DOUBLE -> f.setDouble(state, in.readDouble());
          case STRING -> f.set(state, StateIo.readString(in));
          case ARRAY -> {
            Object current = f.get(state);
            Object read = readArray(in, s.component, s.fixed ? current : null, f);
            if (!s.fixed) {
              f.set(state, read);
            }
          }
          case NESTED -> {
            Object nested = f.get(state);
            of(nested.getClass()).readInto(nested, in);
          }
          default -> throw new AssertionError(s.kind);
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("state field not accessible in " + type.getName(), e);
    }
  }

  /**
   * A description of the layout as the template instance has it: class and field names, types and array lengths.
   * Two codecs with the same description read each other's bytes.
   */
  String describe(Object template) {
    StringBuilder sb = new StringBuilder(type.getName()).append('{');
    try {
      for (int i = 0; i < slots.length; i++) {
        Slot s = slots[i];
        sb.append(i == 0 ? "" : ",").append(s.field.getName()).append(':');
        switch (s.kind) {
          case ARRAY -> {
            Object a = s.field.get(template);
            sb.append(s.component.getName()).append('[')
                .append(s.fixed && a != null ? String.valueOf(java.lang.reflect.Array.getLength(a)) : "")
                .append(']');
          }
          case NESTED -> {
            Object nested = s.field.get(template);
            sb.append(of(nested.getClass()).describe(nested));
          }
          default -> sb.append(s.kind.name().toLowerCase(java.util.Locale.ROOT));
        }
      }
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("state field not accessible in " + type.getName(), e);
    }
    return sb.append('}').toString();
  }

  private static void writeArray(DataOutput out, Object a, Class<?> c) throws IOException {
    if (a == null) {
      out.writeInt(-1);
      return;
    }
    int n = java.lang.reflect.Array.getLength(a);
    out.writeInt(n);
    if (c == int.class) {
      for (int v : (int[]) a) {
        out.writeInt(v);
      }
    } else if (c == long.class) {
      for (long v : (long[]) a) {
        out.writeLong(v);
      }
    } else if (c == short.class) {
      for (short v : (short[]) a) {
        out.writeShort(v);
      }
    } else if (c == byte.class) {
      out.write((byte[]) a);
    } else if (c == double.class) {
      for (double v : (double[]) a) {
        out.writeDouble(v);
      }
    } else if (c == float.class) {
      for (float v : (float[]) a) {
        out.writeFloat(v);
      }
    } else if (c == boolean.class) {
      for (boolean v : (boolean[]) a) {
        out.writeBoolean(v);
      }
    } else if (c == char.class) {
      for (char v : (char[]) a) {
        out.writeChar(v);
      }
    } else {
      throw new AssertionError(c);
    }
  }

  /** Reads an array into {@code into} when given (its length must match), else into a new one. */
  private Object readArray(DataInput in, Class<?> c, Object into, Field f) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      if (into != null) {
        throw new IOException("state " + type.getName() + "." + f.getName() + ": stored null for a fixed array");
      }
      return null;
    }
    if (into != null && java.lang.reflect.Array.getLength(into) != n) {
      throw new IOException("state " + type.getName() + "." + f.getName() + " has "
          + java.lang.reflect.Array.getLength(into) + " elements but " + n + " were stored: the detector's state "
          + "layout changed");
    }
    if (into == null && n > StateIo.MAX_ARRAY) {
      throw new IOException("state " + type.getName() + "." + f.getName() + ": implausible array length " + n);
    }
    Object a = into != null ? into : java.lang.reflect.Array.newInstance(c, n);
    if (c == int.class) {
      int[] v = (int[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readInt();
      }
    } else if (c == long.class) {
      long[] v = (long[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readLong();
      }
    } else if (c == short.class) {
      short[] v = (short[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readShort();
      }
    } else if (c == byte.class) {
      in.readFully((byte[]) a);
    } else if (c == double.class) {
      double[] v = (double[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readDouble();
      }
    } else if (c == float.class) {
      float[] v = (float[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readFloat();
      }
    } else if (c == boolean.class) {
      boolean[] v = (boolean[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readBoolean();
      }
    } else if (c == char.class) {
      char[] v = (char[]) a;
      for (int i = 0; i < n; i++) {
        v[i] = in.readChar();
      }
    } else {
      throw new AssertionError(c);
    }
    return a;
  }

  @Override
  public String toString() {
    return "StateLayout[" + type.getName() + ", " + Arrays.stream(slots).map(s -> s.field.getName()).toList() + "]";
  }
}
