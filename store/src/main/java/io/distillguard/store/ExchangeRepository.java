package io.distillguard.store;

import io.distillguard.core.Exchange;
import java.time.Instant;
import java.util.List;

/**
 * The append-only exchange log. The gateway writes it in batches from its journal; each batch carries the journal
 * sequence number it reaches, stored in the same transaction, so a restart knows exactly what to replay.
 */
public interface ExchangeRepository {

  /**
   * Appends exchanges and advances the journal checkpoint in one transaction. An exchange whose id is already stored
   * is skipped, so replaying a journal after a crash stores each exchange exactly once.
   *
   * @param journalSeq the journal sequence number this batch reaches; the checkpoint never moves backwards
   * @return how many exchanges were newly stored
   */
  int append(List<Exchange> batch, long journalSeq);

  /** The journal sequence number of the last committed batch, 0 when none. */
  long checkpoint();

  /**
   * Exchanges newest first.
   *
   * @param accountId only this account's, or all when null
   * @param before    only those with event time strictly before this, or no bound when null
   */
  List<Exchange> list(String accountId, Instant before, int limit);

  /** Counts for one account. */
  ExchangeCounts counts(String accountId);

  /** Total stored exchanges. */
  long count();

  /** Deletes exchanges with event time before {@code cutoff}; returns how many. */
  int deleteBefore(Instant cutoff);
}
