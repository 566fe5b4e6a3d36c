package io.distillguard.sim;

/**
 * Ground truth of a simulated account: what it really is, which the evaluation compares detection against.
 *
 * @param group for {@code BENIGN_HEAVY} the kind of legitimate heavy use (e.g. {@code batch-eval}); for
 *              {@code CAMPAIGN} the campaign id; empty for ordinary benign accounts
 */
public record Label(Kind kind, String group) {
  public enum Kind {
    /** An ordinary customer. */
    BENIGN,
    /** A legitimate heavy user: batch evaluation, product integration, researcher, licensed distiller. */
    BENIGN_HEAVY,
    /** An account operated by a distillation campaign (including the attack share of a mixed proxy account). */
    CAMPAIGN
  }

  public static final Label BENIGN = new Label(Kind.BENIGN, "");

  public boolean benign() {
    return kind != Kind.CAMPAIGN;
  }
}
