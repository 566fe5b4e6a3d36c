package io.distillguard.store;

import java.time.Instant;

/**
 * Aggregate counts of one account's exchanges.
 *
 * @param exchanges every recorded request
 * @param rejected  requests the gateway refused itself (status 4xx it produced)
 * @param first     event time of the first exchange, null when none
 * @param last      event time of the last exchange, null when none
 */
public record ExchangeCounts(
    long exchanges, long rejected, long promptTokens, long completionTokens, Instant first, Instant last) {}
