package io.distillguard.linkage;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Compares two account profiles on every evidence kind, whatever key proposed the pair: a pair proposed by a shared
 * subnet is also checked for a shared template, timing and payment, so corroboration does not depend on which keys
 * happened to sample it. Shared values are discounted by their key's weight ({@link KeyIndex#weight}), so values
 * common among unrelated accounts add little.
 */
final class PairScorer {
  private final LinkageConfig config;
  private final KeyIndex index;
  private final KeyIndex.Profiles profiles;
  private final double[] family = new double[Family.values().length];
  /** For tests: when set, every key whose weight is read is appended (see {@link #keysRead}). */
  LongBuffer reads;

  PairScorer(LinkageConfig config, KeyIndex index, KeyIndex.Profiles profiles) {
    this.config = config;
    this.index = index;
    this.profiles = profiles;
  }

  /** The edge's weight and whether it is confident, without building explanations (the clustering's hot loop). */
  boolean confident(AccountProfile a, AccountProfile b) {
    java.util.Arrays.fill(family, 0);
    evaluate(a, b, null);
    return decide();
  }

  /** The full edge with its evidence. */
  Edge edge(AccountProfile a, AccountProfile b) {
    java.util.Arrays.fill(family, 0);
    List<Evidence> out = new ArrayList<>();
    evaluate(a, b, out);
    boolean confident = decide();
    Set<Family> fams = EnumSet.noneOf(Family.class);
    double total = 0;
    for (Family f : Family.values()) {
      double v = Math.min(1, family[f.ordinal()]);
      total += v;
      if (v >= config.familyMinimum()) {
        fams.add(f);
      }
    }
    return new Edge(a.id, b.id, total, fams, confident, out);
  }

  /** Total weight of the last evaluation. */
  double lastWeight() {
    double total = 0;
    for (double v : family) {
      total += Math.min(1, v);
    }
    return total;
  }

  private boolean decide() {
    int agreeing = 0;
    boolean anchor = false;
    double total = 0;
    for (int f = 0; f < family.length; f++) {
      double c = Math.min(1, family[f]);
      total += c;
      if (c >= config.familyMinimum()) {
        agreeing++;
        anchor |= f == Family.IDENTITY.ordinal() || f == Family.NETWORK.ordinal();
      }
    }
    return agreeing >= config.minFamilies() && total >= config.confidentWeight() && (anchor || !config.anchored());
  }

  private void add(EvidenceKind kind, double similarity, List<Evidence> out, String detail) {
    if (similarity <= 0) {
      return;
    }
    family[kind.family().ordinal()] += kind.weight() * similarity;
    if (out != null) {
      out.add(new Evidence(kind, Math.min(1, similarity), detail));
    }
  }

  private void evaluate(AccountProfile a, AccountProfile b, List<Evidence> out) {
    // identity
    if (a.payment != 0 && a.payment == b.payment) {
      double w = weight(Keys.of(Keys.PAYMENT, a.payment));
      add(EvidenceKind.PAYMENT, w, out, out == null ? null : "same payment fingerprint"
          + discount(w));
    }
    if (a.createdAt != Long.MIN_VALUE && b.createdAt != Long.MIN_VALUE) {
      long gap = Math.abs(a.createdAt - b.createdAt);
      long window = config.signupWindow().toMillis();
      if (gap <= window) {
        double sim = 0;
        String what = null;
        if (a.emailDomain != 0 && a.emailDomain == b.emailDomain) {
          sim = weight(Keys.of(Keys.SIGNUP_DOMAIN, a.emailDomain * 31 + a.createdAt / window));
          what = "the same email domain";
        }
        if (a.signupSubnet != 0 && a.signupSubnet == b.signupSubnet) {
          double s = weight(Keys.of(Keys.SIGNUP_SUBNET, a.signupSubnet * 31 + a.createdAt / window));
          if (s >= sim) {
            sim = s;
            what = "the same sign-up subnet";
          }
        }
        add(EvidenceKind.SIGNUP_BURST, sim, out, out == null ? null
            : "signed up " + minutes(gap) + " apart from " + what);
      }
    }
    // network: every subnet both used (and the sign-up subnet), discounted; two shared pools count in full
    double shared = 0;
    int sharedCount = 0;
    for (int i = 0; i < a.subnets.slots(); i++) {
      if (a.subnets.counts[i] == 0) {
        continue;
      }
      long s = a.subnets.keys[i];
      if (b.subnets.count(s) > 0 || s == b.signupSubnet) {
        shared += weight(Keys.of(Keys.SUBNET, s));
        sharedCount++;
      }
    }
    if (a.signupSubnet != 0 && a.subnets.count(a.signupSubnet) == 0 && b.subnets.count(a.signupSubnet) > 0) {
      shared += weight(Keys.of(Keys.SUBNET, a.signupSubnet));
      sharedCount++;
    }
    if (shared > 0) {
      add(EvidenceKind.SUBNET, Math.min(1, shared / 2), out, out == null ? null
          : sharedCount + " subnet" + (sharedCount == 1 ? "" : "s") + " in common");
    }
    // client
    long ca = a.clients.top();
    if (ca != 0 && ca == b.clients.top() && a.clients.share(ca) >= 0.5 && b.clients.share(ca) >= 0.5) {
      double w = weight(Keys.of(Keys.CLIENT, ca));
      add(EvidenceKind.CLIENT_FINGERPRINT, w, out, out == null ? null
          : "same user agent and header order on most requests" + discount(w));
    }
    // content: system prompt
    long sa = a.systems.top();
    if (sa != 0 && b.systems.count(sa) > 0) {
      double share = Math.min(a.systems.count(sa) / (double) Math.max(1, a.prompts),
          b.systems.count(sa) / (double) Math.max(1, b.prompts));
      double w = weight(Keys.of(Keys.SYSTEM, sa));
      add(EvidenceKind.SYSTEM_PROMPT, Math.min(1, share) * w, out, out == null ? null
          : "same system prompt on " + percent(share) + " of requests" + discount(w));
    }
    // content: templates, and shards of one prompt set
    long best = 0;
    double bestShare = 0;
    double bestWeight = 0;
    for (int i = 0; i < a.templates.slots(); i++) {
      if (a.templates.counts[i] == 0) {
        continue;
      }
      long t = a.templates.keys[i];
      int cb = b.templates.count(t);
      if (cb == 0) {
        continue;
      }
      double share = Math.min(a.templates.counts[i] / (double) Math.max(1, a.templated),
          cb / (double) Math.max(1, b.templated));
      share = Math.min(1, share);
      if (share > bestShare) {
        double w = weight(Keys.of(Keys.TEMPLATE, t));
        if (share * w > bestShare * bestWeight || best == 0) {
          best = t;
          bestShare = share;
          bestWeight = w;
        }
      }
    }
    if (best != 0 && bestShare * bestWeight > 0) {
      add(EvidenceKind.TEMPLATE, bestShare * bestWeight, out, out == null ? null
          : "the same template skeleton on " + percent(bestShare) + " of prompts" + discount(bestWeight));
      if (bestShare >= 0.6 && a.repeatShare() <= 0.1 && b.repeatShare() <= 0.1
          && AccountProfile.commonPrompts(a, b) == 0) {
        double depth = Math.min(1, Math.min(a.prompts, b.prompts) / 3.0);
        add(EvidenceKind.SHARDED_PROMPTS, bestWeight * depth, out, out == null ? null
            : a.prompts + " and " + b.prompts + " distinct prompts in that template, none in common");
      }
    }
    // timing
    long la = a.lattice();
    if (la != 0 && la == b.lattice()) {
      double share = Math.min(a.timing.share(la), b.timing.share(la));
      double w = weight(Keys.of(Keys.TIMING, la));
      add(EvidenceKind.SYNCHRONIZED, share * w, out, out == null ? null
          : percent(share) + " of requests within the same 10 seconds of a 15-minute clock" + discount(w));
    }
  }

  private double weight(long key) {
    if (reads != null) {
      reads.add(key);
    }
    return index.weight(key, profiles);
  }

  /**
   * Appends every key whose weight scoring a pair from {@code a}'s side may read (some may be appended twice): the
   * keys of {@code a}'s own values, since {@link #evaluate} weighs only values of the side it scores from. A
   * recomputation uses it to find the accounts whose pairs read a key whose weight changed.
   */
  static void keysRead(AccountProfile a, LinkageConfig config, LongBuffer out) {
    if (a.payment != 0) {
      out.add(Keys.of(Keys.PAYMENT, a.payment));
    }
    if (a.createdAt != Long.MIN_VALUE) {
      long window = config.signupWindow().toMillis();
      if (a.emailDomain != 0) {
        out.add(Keys.of(Keys.SIGNUP_DOMAIN, a.emailDomain * 31 + a.createdAt / window));
      }
      if (a.signupSubnet != 0) {
        out.add(Keys.of(Keys.SIGNUP_SUBNET, a.signupSubnet * 31 + a.createdAt / window));
      }
    }
    for (int i = 0; i < a.subnets.slots(); i++) {
      if (a.subnets.counts[i] != 0) {
        out.add(Keys.of(Keys.SUBNET, a.subnets.keys[i]));
      }
    }
    if (a.signupSubnet != 0) {
      out.add(Keys.of(Keys.SUBNET, a.signupSubnet));
    }
    if (a.clients.top() != 0) {
      out.add(Keys.of(Keys.CLIENT, a.clients.top()));
    }
    if (a.systems.top() != 0) {
      out.add(Keys.of(Keys.SYSTEM, a.systems.top()));
    }
    for (int i = 0; i < a.templates.slots(); i++) {
      if (a.templates.counts[i] != 0) {
        out.add(Keys.of(Keys.TEMPLATE, a.templates.keys[i]));
      }
    }
    if (a.lattice() != 0) {
      out.add(Keys.of(Keys.TIMING, a.lattice()));
    }
  }

  private static String discount(double w) {
    return w >= 0.999 ? "" : String.format(Locale.ROOT, " (common value, counted at %.0f%%)", w * 100);
  }

  private static String percent(double v) {
    return Math.round(v * 100) + "%";
  }

  private static String minutes(long millis) {
    long m = millis / 60_000;
    return m < 1 ? "under a minute" : m + " min";
  }
}
