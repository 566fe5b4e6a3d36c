package io.distillguard.sim.data;

import java.util.Locale;

/**
 * The two named data splits. Detectors may be tuned on traffic built from {@link #TUNING} only; {@link #HOLDOUT}
 * datasets and campaign templates are kept out of all tuning and used to check that detection generalizes. The
 * membership of each dataset is in {@link DatasetInfo#CATALOG} and documented in {@code scenarios/README.md}.
 */
public enum Split {
  TUNING,
  HOLDOUT;

  /** Lower-case name as written in scenario files. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code tuning} or {@code holdout}. */
  public static Split parse(String text) {
    if (text != null) {
      for (Split s : values()) {
        if (s.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
    }
    throw new IllegalArgumentException("unknown split '" + text + "' (use tuning or holdout)");
  }
}
