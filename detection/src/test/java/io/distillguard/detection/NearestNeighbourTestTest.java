package io.distillguard.detection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NearestNeighbourTestTest {

  @Test
  void naturalQueriesLookNormalTemplatedOnesDoNot() {
    SplittableRandom rng = new SplittableRandom(5);
    int dim = 16;
    // Natural: independent points of a broad cloud; each new point's nearest earlier one is at a spread of
    // distances without clumps.
    AccountEmbeddings natural = new AccountEmbeddings(64, dim, 128, 1);
    for (int i = 0; i < 100; i++) {
      natural.add(Vectors.normalize(randomVector(rng, dim, null, 1.0)));
    }
    // Templated: a handful of seeds, each query a tiny variation of one, with an occasional new seed: distances
    // pile up near 0 with a few large ones, the skew PRADA looks for.
    AccountEmbeddings templated = new AccountEmbeddings(64, dim, 128, 1);
    float[][] seeds = new float[5][];
    for (int s = 0; s < seeds.length; s++) {
      seeds[s] = Vectors.normalize(randomVector(rng, dim, null, 1.0));
    }
    for (int i = 0; i < 100; i++) {
      float[] seed = seeds[i % 25 == 0 ? (i / 25) % seeds.length : rng.nextInt(2)];
      templated.add(Vectors.normalize(randomVector(rng, dim, seed, 0.02)));
    }
    NearestNeighbourTest.Result n = NearestNeighbourTest.test(natural.recentDistances());
    NearestNeighbourTest.Result t = NearestNeighbourTest.test(templated.recentDistances());
    assertThat(n.n()).isBetween(64, 99); // past 64 prompts only those the reservoir keeps get a distance
    assertThat(n.w()).isGreaterThan(0.9); // not 1: early distances are larger, while few points are known
    assertThat(t.w()).isLessThan(0.8);
    assertThat(t.pValue()).isLessThan(0.001);
  }

  @Test
  void exactRepeatsAreAPointMass() {
    NearestNeighbourTest.Result r = NearestNeighbourTest.test(new double[] {0, 0, 0, 0, 0});
    assertThat(r.w()).isZero();
    assertThat(r.pValue()).isZero();
  }

  @Test
  void reservoirStaysAtItsCapacityAndDistancesInTheirRing() {
    AccountEmbeddings a = new AccountEmbeddings(8, 4, 16, 9);
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < 1000; i++) {
      a.add(Vectors.normalize(randomVector(rng, 4, null, 1)));
    }
    assertThat(a.size).isEqualTo(8);
    assertThat(a.seen).isEqualTo(1000);
    assertThat(a.recentDistances()).hasSize(16);
    assertThat(a.bytes()).isEqualTo(8 * (4 + 4) + 16 * 4 + 150);
  }

  static float[] randomVector(SplittableRandom rng, int dim, float[] around, double spread) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) ((around == null ? 0 : around[i]) + ShapiroWilkTest.gaussian(rng) * spread);
    }
    return v;
  }
}
