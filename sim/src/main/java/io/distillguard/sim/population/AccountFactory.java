package io.distillguard.sim.population;

import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Creates every simulated account with an opaque id ({@code acct_} and 16 hex digits: nothing in the id or name
 * reveals the ground truth) and the attributes the gateway's admin API takes.
 */
public final class AccountFactory {
  public static final String PAYMENT = "payment_fingerprint";
  public static final String SIGNUP_IP = "signup_ip";
  public static final String EMAIL_DOMAIN = "email_domain";
  public static final String COUNTRY = "country";
  public static final String TIER = "tier";

  public static final String TIER_FREE = "free";
  public static final String TIER_DEFAULT = "default";
  public static final String TIER_ENTERPRISE = "enterprise";

  private final long seed;
  private final Set<String> ids = new HashSet<>();
  private final Set<String> domains = new HashSet<>();
  private long counter;

  public AccountFactory(long seed) {
    this.seed = seed;
  }

  public SimAccount create(String name, Map<String, String> attributes, Label label, long createdAtMillis) {
    String id;
    do {
      id = "acct_" + Seeds.hex(Seeds.derive(seed, "account-id", counter++), 16);
    } while (!ids.add(id));
    return new SimAccount(id, name, attributes, label, Instant.ofEpochMilli(createdAtMillis));
  }

  /** Attributes in a fixed order; null values are left out (free accounts have no payment method). */
  public static Map<String, String> attributes(String payment, String signupIp, String emailDomain, String country,
      String tier) {
    Map<String, String> m = new LinkedHashMap<>();
    if (payment != null) {
      m.put(PAYMENT, payment);
    }
    m.put(SIGNUP_IP, signupIp);
    m.put(EMAIL_DOMAIN, emailDomain);
    m.put(COUNTRY, country);
    m.put(TIER, tier);
    return m;
  }

  /** A new payment-card fingerprint. */
  public static String card(SplittableRandom rng) {
    return "card_" + Seeds.hex(rng.nextLong(), 16);
  }

  /** A company name and a domain no other company of this simulation has. */
  public String[] company(SplittableRandom rng) {
    return Names.company(rng, domains);
  }
}
