package io.distillguard.provenance.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.lexicon.VariantSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a pair is scored against the teacher's reference text ({@link ScoredEvents#against}). */
class ReferenceScoreTest {
  final Lexicon lexicon = Lexicon.standard();

  @Test
  void weighsADifferenceByItsVarianceInUnitsOfTheDiscrepancy() {
    // d = 0.1 at b = 0.5, 100 occurrences against 999 in the reference: v = 0.25 * (1/100 + 1/1000) = 0.00275
    double expected = Math.sqrt(ScoredEvents.DISCREPANCY) * 0.1 / (0.00275 + ScoredEvents.DISCREPANCY);
    assertThat(ScoredEvents.referenceScore(0.1, 0.5, 100, 999)).isCloseTo(expected, within(1e-9));
    assertThat(expected).isCloseTo(0.784, within(0.001));
    assertThat(ScoredEvents.referenceScore(-0.1, 0.5, 100, 999)).isCloseTo(-expected, within(1e-9));
  }

  @Test
  void aPreciselyMeasuredPairWeighsMoreThanOneSeenOnce() {
    double once = ScoredEvents.referenceScore(0.1, 0.3, 1, 1000);
    double often = ScoredEvents.referenceScore(0.1, 0.3, 200, 1000);
    double thinReference = ScoredEvents.referenceScore(0.1, 0.3, 200, 0);
    assertThat(often).isGreaterThan(3 * once);
    assertThat(often).isGreaterThan(3 * thinReference);
    // the discrepancy caps the weight: more occurrences on both sides stop adding once sampling is below it
    assertThat(ScoredEvents.referenceScore(0.1, 0.3, 1e6, 1e6)).isCloseTo(1.0, within(0.001));
  }

  @Test
  void clipsSoThatNoPairDecidesTheTest() {
    assertThat(ScoredEvents.referenceScore(0.9, 0.05, 1000, 1000)).isEqualTo(ScoredEvents.REFERENCE_CLIP);
    assertThat(ScoredEvents.referenceScore(-0.9, 0.95, 1000, 1000)).isEqualTo(-ScoredEvents.REFERENCE_CLIP);
  }

  /** {@code n} texts of one context followed by a two-word set, {@code k} of them with the second variant. */
  List<String> texts(VariantSet set, String context, int n, int k) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(context + " " + set.variant(i < k ? 1 : 0) + " here.");
    }
    return out;
  }

  @Test
  void scoresPairsAgainstTheReferenceAndTheSetWhereItLacksThem() {
    VariantSet set = lexicon.sets().stream()
        .filter(v -> v.size() == 2 && !v.contraction() && v.variants().stream().noneMatch(w -> w.contains(" ")))
        .findFirst().orElseThrow();
    List<String> suspect = new ArrayList<>(texts(set, "zqa", 100, 40)); // 40% variant 1
    suspect.addAll(texts(set, "zqb", 100, 90)); // 90%
    // the reference has context zqa only, where the teacher says variant 1 in 30% of 1,000 occurrences
    ScoredEvents reference = ScoredEvents.of(lexicon, texts(set, "zqa", 1000, 300));
    ScoredEvents ev = ScoredEvents.of(lexicon, suspect).against(reference);
    assertThat(ev.events()).extracting(ScoredEvents.Event::context).containsExactly("zqa", "zqb");
    double setShare = (0.4 + 0.9 + 0.5) / 3; // the suspect's pairs of the set, shrunk towards uniform by one pair
    double base = (300 + setShare) / 1001; // the reference's share, shrunk towards the set's by one occurrence
    ScoredEvents.Event measured = ev.events().get(0);
    assertThat(measured.score()[1]).isEqualTo(grid(ScoredEvents.referenceScore(0.4 - base, base, 100, 1000)))
        .isPositive();
    assertThat(measured.score()[0])
        .isEqualTo(grid(ScoredEvents.referenceScore(base - 0.4, 1 - base, 100, 1000))).isNegative();
    // context zqb is not in the reference: measured against the set's share, as if the reference had 0 occurrences
    ScoredEvents.Event lacking = ev.events().get(1);
    assertThat(lacking.score()[1])
        .isEqualTo(grid(ScoredEvents.referenceScore(0.9 - setShare, setShare, 100, 0))).isPositive();
    assertThat((double) Math.abs(lacking.score()[1])).isLessThan(Math.abs(measured.score()[1]) / 4.0);
  }

  static int grid(double z) {
    return (int) Math.round(z * ScoredEvents.GRID);
  }
}
