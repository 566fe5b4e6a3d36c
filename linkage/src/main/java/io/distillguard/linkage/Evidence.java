package io.distillguard.linkage;

/**
 * One piece of evidence on an edge.
 *
 * @param similarity how strongly the two accounts share this kind, in [0, 1], after discounting values common among
 *                   unrelated accounts
 * @param detail     a sentence of numbers and fixed words (never raw traffic text)
 */
public record Evidence(EvidenceKind kind, double similarity, String detail) {

  /** What this evidence adds to the edge: the kind's weight times the similarity. */
  public double contribution() {
    return kind.weight() * similarity;
  }
}
