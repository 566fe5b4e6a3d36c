package io.distillguard.gateway.detection;

import io.distillguard.core.Alert;
import io.distillguard.core.AuditEntry;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.Verdict;
import io.distillguard.gateway.auth.AccountDirectory;
import io.distillguard.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes each automatic status change durable and explainable: the account's status in the store, an audit-log
 * entry with the score and the top reasons, and an entry in the alerts feed ({@code GET /admin/v1/alerts}). Runs on
 * its own thread so a slow store never delays detection (the enforcement cache already has the verdict).
 */
public final class VerdictRecorder implements Consumer<Verdict> {
  private static final Logger LOG = LoggerFactory.getLogger(VerdictRecorder.class);
  /** Reasons kept with an alert: what an analyst reads first; the account view has them all. */
  static final int TOP_REASONS = 4;
  private final Store store;
  private final AccountDirectory directory;
  private final Clock clock;
  private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "verdict-recorder");
    t.setDaemon(true);
    return t;
  });

  public VerdictRecorder(Store store, AccountDirectory directory, Clock clock) {
    this.store = store;
    this.directory = directory;
    this.clock = clock;
  }

  @Override
  public void accept(Verdict v) {
    writer.execute(() -> {
      try {
        store.accounts().updateStatus(v.accountId(), v.level().status(), clock.instant())
            .ifPresent(directory::put);
        Instant now = clock.instant();
        AuditEntry audited = store.audit().append(now, "detector", "account.status", "account:" + v.accountId(),
            DetectionService.details(v));
        List<Reason> reasons = v.risk().reasons();
        store.alerts().append(new Alert(0, v.at(), now, v.accountId(), v.previous(), v.level(), v.risk().score(),
            v.risk().evidence(), reasons.subList(0, Math.min(TOP_REASONS, reasons.size())), audited.seq()));
      } catch (RuntimeException e) {
        LOG.error("recording the verdict for account {} failed", v.accountId(), e);
      }
    });
  }

}
