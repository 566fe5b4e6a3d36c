package io.distillguard.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Rate-limit consumption shared by gateway nodes: each node adds what it admitted per subject and minute, reads what
 * the others admitted, and keeps a heartbeat. Counts only ever grow within a window; old windows are pruned.
 */
public interface RateUsage {

  /** This node's consumption of one subject in one window since its previous {@link #add}. */
  record Delta(String subject, long windowStart, long requests, long tokens) {}

  /** One node's total consumption of one subject in one window. */
  record Usage(String subject, long windowStart, String node, long requests, long tokens) {}

  /**
   * Adds {@code node}'s deltas to its totals and records its heartbeat at {@code now}, in one transaction.
   */
  void add(String node, Collection<Delta> deltas, Instant now);

  /** Other nodes' totals for these subjects in windows starting at or after {@code fromWindow}. */
  List<Usage> others(String node, Collection<String> subjects, long fromWindow);

  /** Nodes whose latest heartbeat is at or after {@code since}. */
  List<String> liveNodes(Instant since);

  /**
   * Deletes windows that start before {@code beforeWindow} and nodes whose heartbeat is older than
   * {@code nodesSilentSince}.
   *
   * @return usage rows deleted
   */
  int prune(long beforeWindow, Instant nodesSilentSince);
}
