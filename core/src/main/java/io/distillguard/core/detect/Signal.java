package io.distillguard.core.detect;

/**
 * What one detector says about one account: how suspicious the account looks on this signal, in [0, 1], and a
 * sentence an analyst can read ("73% of prompts share 3 templates").
 *
 * @param detector    the detector's name
 * @param suspicion   0 = looks like ordinary use, 1 = as strong as this signal gets
 * @param evidence    how many exchanges the value rests on
 * @param explanation human-readable, built only from numbers and fixed words (never raw traffic text)
 */
public record Signal(String detector, double suspicion, long evidence, String explanation) {

  public Signal {
    if (!(suspicion >= 0 && suspicion <= 1)) {
      throw new IllegalArgumentException("suspicion must be in [0, 1]: " + suspicion);
    }
  }

  public static Signal none(String detector, long evidence) {
    return new Signal(detector, 0, evidence, "not enough evidence");
  }
}
