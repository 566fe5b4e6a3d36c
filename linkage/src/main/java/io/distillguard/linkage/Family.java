package io.distillguard.linkage;

import java.util.Locale;

/**
 * Groups of evidence that can be faked or shared independently of one another. Two accounts are linked with
 * confidence only when at least two families agree: one family alone is what ordinary sharing looks like (a company
 * NAT is only network, a team card only identity, a popular SDK only client software).
 */
public enum Family {
  /** Who pays and who signed up: payment fingerprint, sign-up bursts with similar attributes. */
  IDENTITY,
  /** Where requests come from: client subnets and the pools rotated through. */
  NETWORK,
  /** Which software sends them: user agent plus header-order fingerprint. */
  CLIENT,
  /** What is asked: system prompts and prompt-template skeletons. */
  CONTENT,
  /** How the prompt set is split: disjoint prompts from the same pool and template. */
  HARVEST,
  /** When requests are sent: the same wall-clock lattice. */
  TIMING;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
