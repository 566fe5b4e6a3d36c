package io.distillguard.linkage;

import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.RiskScore;
import java.time.Instant;

/**
 * What enforcement should do to one account because of its cluster: put it at {@code level} (or higher, if it is
 * already there for its own reasons). Emitted for every member when a cluster's level rises, and for an account that
 * joins a cluster already at a level.
 *
 * @param joined true when the account has just joined the cluster (rather than the cluster's level rising)
 */
public record LinkageAction(String accountId, String clusterId, RiskLevel level, RiskScore risk, boolean joined,
    Instant at) {}
