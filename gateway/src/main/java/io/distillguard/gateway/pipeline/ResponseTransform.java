package io.distillguard.gateway.pipeline;

/**
 * Rewrites generated text on its way to the client (watermarking, reasoning reduction for degraded accounts).
 * Stages install transforms on the {@link Call} before the forward stage runs; the forward stage applies them to
 * whole answers and, for streams, to each delta.
 */
public interface ResponseTransform {

  /** Per-call state; one instance handles every choice of one answer. */
  interface Session {
    /**
     * Takes the next piece of text of choice {@code choice} and returns what may be sent now. It may hold back a
     * little text (a word or two at a chunk boundary), never the whole answer.
     */
    String push(int choice, String text);

    /** The text still held back for a choice, at the end of its answer. */
    String flush(int choice);
  }

  Session open(Call call);
}
