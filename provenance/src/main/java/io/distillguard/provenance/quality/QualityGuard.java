package io.distillguard.provenance.quality;

import io.distillguard.provenance.watermark.Watermarker;
import java.util.List;
import java.util.function.Function;

/**
 * What the watermark does to answers: the share of words it changes, and how much meaning survives, as the cosine
 * between sentence embeddings of the original and the watermarked answer.
 */
public final class QualityGuard {
  private final Function<String, float[]> embedder;

  /** @param embedder sentence embeddings (normalized or not), or null to skip meaning preservation */
  public QualityGuard(Function<String, float[]> embedder) {
    this.embedder = embedder;
  }

  /** Totals over a set of answers. */
  public record Report(int texts, long words, long changed, double changedFraction, int changedTexts,
      double meanCosine, double minCosine, double p05Cosine) {}

  public Report measure(List<String> originals, Watermarker marker) {
    long words = 0;
    long changed = 0;
    int changedTexts = 0;
    double sum = 0;
    double min = 1;
    double[] cos = new double[originals.size()];
    int n = 0;
    for (String original : originals) {
      Watermarker.Session s = marker.session();
      String marked = s.push(original) + s.finish();
      words += s.words();
      changed += s.changed();
      double c = 1;
      if (s.changed() > 0) {
        changedTexts++;
        if (embedder != null) {
          c = cosine(embedder.apply(original), embedder.apply(marked));
        }
      }
      cos[n++] = c;
      sum += c;
      min = Math.min(min, c);
    }
    java.util.Arrays.sort(cos, 0, n);
    double p05 = n == 0 ? 1 : cos[(int) Math.floor(0.05 * (n - 1))];
    return new Report(n, words, changed, words == 0 ? 0 : (double) changed / words, changedTexts,
        n == 0 ? 1 : sum / n, min, p05);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
