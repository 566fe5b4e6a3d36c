package io.distillguard.sim;

import java.time.Instant;
import java.util.Map;

/**
 * A simulated account as the gateway's admin API would hold it, plus its ground truth. Runners create it (in-process
 * or through {@code POST /admin/v1/accounts}) before its first request.
 *
 * @param attributes payment_fingerprint, signup_ip, email_domain, country, tier, ... with realistic sharing
 * @param createdAt  simulated signup time (creation bursts are a linkage signal)
 */
public record SimAccount(String id, String name, Map<String, String> attributes, Label label, Instant createdAt) {
  public SimAccount {
    attributes = Map.copyOf(attributes);
  }
}
