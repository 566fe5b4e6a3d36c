package io.distillguard.sim.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

/**
 * Data for tests: the real datasets when the build passes {@code -Ddistillguard.data} (the parent POM does, pointing
 * at {@code ../shared/data}) and the directory exists; data-driven tests are skipped with a message otherwise. One
 * instance per test JVM so datasets are read once.
 */
public final class TestData {
  private static DataSets real;

  private TestData() {}

  /** The real datasets, or skips the calling test. */
  public static synchronized DataSets realOrSkip() {
    Path dir = DataSets.defaultDirectory();
    assumeTrue(dir != null, "data directory not found (system property " + DataSets.PROPERTY + "="
        + System.getProperty(DataSets.PROPERTY) + ", env " + DataSets.ENV + ", ../shared/data): skipping "
        + "data-driven test; the fixture-based tests still run");
    if (real == null) {
      real = DataSets.load(dir);
    }
    assumeTrue(real.real(), "data directory " + dir + " holds none of the datasets: skipping data-driven test");
    return real;
  }

  /** Real data when present, else the fixtures (for tests meaningful on both). */
  public static synchronized DataSets realOrFixtures() {
    Path dir = DataSets.defaultDirectory();
    if (dir == null) {
      return DataSets.fixtures();
    }
    if (real == null) {
      real = DataSets.load(dir);
    }
    return real;
  }
}
