package io.distillguard.app;

import io.distillguard.core.AuditEntry;
import io.distillguard.store.Store;
import io.distillguard.ui.cases.CaseFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard verify-audit}: recomputes the audit log's hash chain; with {@code --case}, also re-hashes a
 * case bundle and finds its hash in the log. Exit 0 when everything holds, 1 when something was tampered with,
 * 2 when there is nothing to check.
 */
@Command(name = "verify-audit", mixinStandardHelpOptions = true,
    description = "Check the hash-chained audit log (and case bundles against it); exit 1 on tampering.")
final class VerifyAuditCommand implements Callable<Integer> {
  @Option(names = "--data-dir", defaultValue = "dg-data", paramLabel = "DIR",
      description = "the gateway's data directory (default ${DEFAULT-VALUE})") Path dataDir;

  @Option(names = "--config", paramLabel = "FILE", description = "a gateway configuration: check the store it names "
      + "(a shared PostgreSQL with store.url; password from $" + Node.STORE_PASSWORD_ENV + ")") Path config;

  @Option(names = "--case", paramLabel = "DIR", description = "a case bundle folder to check as well")
  List<Path> cases = List.of();

  @Option(names = "--expect-head", paramLabel = "HASH", description = "the newest entry's hash as noted "
      + "earlier: catches deleting the newest entries, which a chain alone cannot") String expectHead;

  @Override
  public Integer call() throws Exception {
    StoreLocation where = StoreLocation.of(config, config == null ? dataDir : null, System.getenv());
    if (where.missing() != null) {
      System.err.println("verify-audit: " + where.missing());
      return 2;
    }
    boolean ok = true;
    try (Store store = where.open()) {
      long bad = store.audit().verify();
      List<AuditEntry> head = store.audit().list(null, 1);
      if (bad >= 0) {
        ok = false;
        System.err.println("AUDIT LOG TAMPERED: entry " + bad + " does not match its hash or its predecessor's; "
            + "entries from " + bad + " on cannot be trusted");
      } else {
        System.out.println("audit log intact: " + (head.isEmpty() ? "no entries"
            : head.get(0).seq() + " entries chained, head hash " + head.get(0).hash()));
      }
      if (expectHead != null && (head.isEmpty() || !head.get(0).hash().equals(expectHead.trim()))
          && store.audit().list(null, 100_000).stream().noneMatch(e -> e.hash().equals(expectHead.trim()))) {
        ok = false;
        System.err.println("AUDIT LOG TRUNCATED OR REPLACED: no entry has the expected hash " + expectHead);
      }
      for (Path c : cases) {
        CaseFiles.Check check = CaseFiles.verify(store, c);
        if (check.ok()) {
          System.out.println("case " + check.caseId() + " intact: manifest sha256 " + check.sha256()
              + " matches audit entry #" + check.auditSeq());
        } else {
          ok = false;
          System.err.println("CASE BUNDLE " + c + " FAILED:");
          check.problems().forEach(p -> System.err.println("  - " + p));
        }
      }
    }
    return ok ? 0 : 1;
  }
}
