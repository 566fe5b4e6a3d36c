package io.distillguard.sim.scenario;

/** The type of a campaign parameter; decides how the scenario loader reads and checks the YAML value. */
public enum ParamType {
  /** Whole number. */
  INT,
  /** Number. */
  NUMBER,
  /** Number in [0, 1]. */
  FRACTION,
  /** Rate such as {@code 120/min}, stored as events per second (Double). */
  RATE,
  /** Duration such as {@code 36h}, stored as {@link java.time.Duration}. */
  DURATION,
  /** Text. */
  STRING,
  /** List of texts. */
  STRINGS,
  /** true/false. */
  BOOL
}
