package io.distillguard.linkage;

import java.util.Locale;

/**
 * One kind of linkage evidence between two accounts, with the family it belongs to and its weight: the most it adds
 * to an edge when the shared value is certain and not common among unrelated accounts. Weights are set by hand from
 * how cheaply an attacker could avoid sharing the value and how often unrelated customers share it anyway; they are
 * documented in {@code docs/linkage.md}.
 */
public enum EvidenceKind {
  /** The same payment-card fingerprint. Team cards share it too, so it is identity evidence only. */
  PAYMENT(Family.IDENTITY, 1.0, "shared payment fingerprint"),
  /** Signed up within half an hour of each other with the same email domain or sign-up subnet. */
  SIGNUP_BURST(Family.IDENTITY, 0.8, "signed up together with similar attributes"),
  /** Requests from the same IPv4 /24 or IPv6 /48 subnets, more so when several pools are shared. */
  SUBNET(Family.NETWORK, 1.0, "shared client subnets"),
  /** The same user agent and header-order fingerprint as each other's dominant client. */
  CLIENT_FINGERPRINT(Family.CLIENT, 0.6, "identical client fingerprint"),
  /** The same system prompt on most requests. */
  SYSTEM_PROMPT(Family.CONTENT, 0.8, "shared system prompt"),
  /** Most prompts of both accounts share a template skeleton (same wrapper around varying content). */
  TEMPLATE(Family.CONTENT, 0.8, "shared prompt template"),
  /** The same template, every prompt distinct, no prompt in common: one prompt set split between accounts. */
  SHARDED_PROMPTS(Family.HARVEST, 1.0, "sharded prompt set"),
  /** Requests on the same wall-clock lattice (a shared scheduler), within seconds of the same tick. */
  SYNCHRONIZED(Family.TIMING, 0.8, "synchronized activity");

  private final Family family;
  private final double weight;
  private final String label;

  EvidenceKind(Family family, double weight, String label) {
    this.family = family;
    this.weight = weight;
    this.label = label;
  }

  public Family family() {
    return family;
  }

  /** The most this kind adds to an edge's weight. */
  public double weight() {
    return weight;
  }

  /** A short phrase for reasons ("shared client subnets"). */
  public String label() {
    return label;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
