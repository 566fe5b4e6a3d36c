package io.distillguard.detection;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A sample of benign prompt embeddings that accounts' prompts are compared with, and the thresholds calibrated on
 * benign accounts that say how far from it is unusual. Built by {@code ./distillguard embeddings-reference} from the
 * tuning split of the benign datasets only (never the holdout), and shipped inside this module
 * ({@link #DEFAULT_RESOURCE}), so a clone without the datasets still runs the expensive tier.
 *
 * <p>Two files: {@code NAME.bin} holds the vectors (magic {@code DGEMBREF}, format, count, dimension, then per
 * vector a float scale and {@code dimension} signed bytes, as {@link QuantizedVectors} stores them);
 * {@code NAME.properties} holds the model name, the thresholds and the provenance. Immutable.
 */
public final class BenignReference {
  /** Classpath base name (without extension) of the shipped reference. */
  public static final String DEFAULT_RESOURCE = "/io/distillguard/detection/benign-reference";
  private static final long MAGIC = 0x4447454d42524546L; // "DGEMBREF"
  private static final int FORMAT = 1;

  private final float[][] vectors;
  private final Calibration calibration;
  private final Map<String, String> provenance;
  private final String model;

  /**
   * Where benign accounts' statistics fall, the scale the expensive tier's suspicions are measured on.
   *
   * @param mmdLow  MMD² at which the shift signal starts (suspicion 0): benign suspects reach it rarely
   * @param mmdHigh MMD² at which it is full (suspicion 1)
   * @param wHigh   nearest-neighbour W at which the PRADA signal starts (suspicion 0)
   * @param wLow    W at which it is full (suspicion 1); below {@code wHigh}
   */
  public record Calibration(double mmdLow, double mmdHigh, double wHigh, double wLow) {
    public Calibration {
      if (!(mmdHigh > mmdLow) || !(wHigh > wLow) || !Double.isFinite(mmdLow + mmdHigh + wHigh + wLow)) {
        throw new IllegalArgumentException("calibration needs mmdLow < mmdHigh and wLow < wHigh: mmd " + mmdLow
            + ".." + mmdHigh + ", w " + wLow + ".." + wHigh);
      }
    }
  }

  public BenignReference(String model, float[][] vectors, Calibration calibration, Map<String, String> provenance) {
    if (vectors.length < 2) {
      throw new IllegalArgumentException("a reference needs at least 2 vectors");
    }
    this.model = model;
    this.vectors = vectors;
    this.calibration = calibration;
    this.provenance = Map.copyOf(new TreeMap<>(provenance));
  }

  /** The name of the embedding model the vectors come from; vectors of another model are not comparable. */
  public String model() {
    return model;
  }

  /** The vectors (unit length, shared: do not modify). */
  public float[][] vectors() {
    return vectors;
  }

  public int size() {
    return vectors.length;
  }

  public int dimension() {
    return vectors[0].length;
  }

  public Calibration calibration() {
    return calibration;
  }

  public Map<String, String> provenance() {
    return provenance;
  }

  /** The same vectors and provenance with other thresholds. */
  public BenignReference withCalibration(Calibration c) {
    return new BenignReference(model, vectors, c, provenance);
  }

  /** The reference shipped in this module. */
  public static BenignReference loadDefault() {
    try (InputStream bin = BenignReference.class.getResourceAsStream(DEFAULT_RESOURCE + ".bin");
        InputStream props = BenignReference.class.getResourceAsStream(DEFAULT_RESOURCE + ".properties")) {
      if (bin == null || props == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + ".bin/.properties missing from the classpath");
      }
      return read(bin, props);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads {@code base.bin} and {@code base.properties}. */
  public static BenignReference load(Path base) {
    Path dir = base.toAbsolutePath().getParent();
    String name = base.getFileName().toString();
    try (InputStream bin = Files.newInputStream(dir.resolve(name + ".bin"));
        InputStream props = Files.newInputStream(dir.resolve(name + ".properties"))) {
      return read(bin, props);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BenignReference read(InputStream binIn, InputStream propsIn) throws IOException {
    Properties p = new Properties();
    p.load(new InputStreamReader(propsIn, StandardCharsets.UTF_8));
    DataInputStream in = new DataInputStream(new BufferedInputStream(binIn));
    if (in.readLong() != MAGIC) {
      throw new IOException("not an embedding reference (bad magic)");
    }
    int format = in.readInt();
    if (format != FORMAT) {
      throw new IOException("unsupported embedding reference format " + format);
    }
    int count = in.readInt();
    int dim = in.readInt();
    if (count < 2 || count > 1_000_000 || dim < 1 || dim > 65_536) {
      throw new IOException("implausible embedding reference: " + count + " vectors of " + dim);
    }
    QuantizedVectors q = new QuantizedVectors(count, dim);
    byte[] code = new byte[dim];
    for (int i = 0; i < count; i++) {
      float scale = in.readFloat();
      in.readFully(code);
      q.setRaw(i, scale, code);
    }
    float[][] vectors = new float[count][];
    for (int i = 0; i < count; i++) {
      vectors[i] = q.get(i);
    }
    Calibration c = new Calibration(number(p, "calibration.mmd2.low"), number(p, "calibration.mmd2.high"),
        number(p, "calibration.nn-w.high"), number(p, "calibration.nn-w.low"));
    Map<String, String> prov = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith("provenance.")) {
        prov.put(k.substring("provenance.".length()), p.getProperty(k));
      }
    }
    return new BenignReference(p.getProperty("model", MiniLmEmbedder.NAME), vectors, c, prov);
  }

  /** Writes {@code base.bin} and {@code base.properties}. */
  public void write(Path base) {
    Path dir = base.toAbsolutePath().getParent();
    String name = base.getFileName().toString();
    try {
      Files.createDirectories(dir);
      try (OutputStream out = Files.newOutputStream(dir.resolve(name + ".bin"))) {
        writeVectors(out);
      }
      try (Writer w = new OutputStreamWriter(Files.newOutputStream(dir.resolve(name + ".properties")),
          StandardCharsets.UTF_8)) {
        w.write("# Benign reference for the expensive detection tier. See docs/detection.md, \"Expensive tier\".\n");
        w.write("model=" + model + "\n");
        w.write("count=" + vectors.length + "\n");
        w.write("dimension=" + dimension() + "\n");
        w.write("calibration.mmd2.low=" + calibration.mmdLow() + "\n");
        w.write("calibration.mmd2.high=" + calibration.mmdHigh() + "\n");
        w.write("calibration.nn-w.high=" + calibration.wHigh() + "\n");
        w.write("calibration.nn-w.low=" + calibration.wLow() + "\n");
        for (Map.Entry<String, String> e : new TreeMap<>(provenance).entrySet()) {
          w.write("provenance." + e.getKey() + "=" + escape(e.getValue()) + "\n");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void writeVectors(OutputStream raw) throws IOException {
    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw));
    out.writeLong(MAGIC);
    out.writeInt(FORMAT);
    out.writeInt(vectors.length);
    out.writeInt(dimension());
    QuantizedVectors q = new QuantizedVectors(1, dimension());
    byte[] code = new byte[dimension()];
    for (float[] v : vectors) {
      q.set(0, v);
      out.writeFloat(q.scale(0));
      for (int i = 0; i < code.length; i++) {
        code[i] = q.code(0, i);
      }
      out.write(code);
    }
    out.flush();
  }

  private static double number(Properties p, String key) throws IOException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IOException("embedding reference: " + key + " missing");
    }
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw new IOException("embedding reference: " + key + ": not a number: " + v);
    }
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\n') {
        sb.append("\\n");
      } else if (c == '\\') {
        sb.append("\\\\");
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "BenignReference[" + model + ", " + vectors.length + "×" + dimension() + ", " + calibration + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BenignReference r && r.model.equals(model) && Arrays.deepEquals(r.vectors, vectors)
        && r.calibration.equals(calibration);
  }

  @Override
  public int hashCode() {
    return model.hashCode() * 31 + vectors.length;
  }
}
