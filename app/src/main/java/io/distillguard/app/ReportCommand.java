package io.distillguard.app;

import io.distillguard.gateway.admin.AdminToken;
import io.distillguard.store.Store;
import io.distillguard.ui.cases.AdminSource;
import io.distillguard.ui.cases.CaseFiles;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code distillguard report case}: evidence bundles for an account or a cluster. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Evidence reports.",
    subcommands = {ReportCommand.Case.class})
final class ReportCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "case", mixinStandardHelpOptions = true,
      description = {"Write a case file: HTML, PDF and JSON with every number, charts, sample exchanges, linkage "
          + "evidence and watermark probe results, in <data-dir>/cases/<id>/ (and a .zip beside it). The bundle's "
          + "hash goes into the hash-chained audit log; check it later with verify-audit --case.",
          "Reads the store directly, so it works with the gateway stopped; --admin adds what only a running "
          + "gateway knows (live risk, clusters), and is needed for --cluster."})
  static final class Case implements Callable<Integer> {
    static final class Which {
      @Option(names = "--account", paramLabel = "ID", required = true) String account;
      @Option(names = "--cluster", paramLabel = "ID", required = true) String cluster;
    }

    @ArgGroup(exclusive = true, multiplicity = "1") Which which;

    @Option(names = "--data-dir", defaultValue = "dg-data", paramLabel = "DIR",
        description = "the gateway's data directory (default ${DEFAULT-VALUE})") Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "a gateway configuration: read the store it names "
        + "(a shared PostgreSQL with store.url; password from $" + Node.STORE_PASSWORD_ENV + ")") Path config;

    @Option(names = "--admin", paramLabel = "URL", description = "a running gateway's admin API, e.g. "
        + "http://127.0.0.1:8081") String admin;

    @Option(names = "--admin-token", paramLabel = "T", description = "admin token (default: $"
        + AdminToken.ENV + ", else <data-dir>/admin-token)") String adminToken;

    @Option(names = "--probe", paramLabel = "DIR", description = "a probe output folder (evidence.json) to cite; "
        + "<data-dir>/probes/* are always looked at") List<Path> probes = new ArrayList<>();

    @Option(names = "--actor", defaultValue = "cli", paramLabel = "NAME",
        description = "who the audit log names (default ${DEFAULT-VALUE})") String actor;

    @Override
    public Integer call() throws Exception {
      StoreLocation where = StoreLocation.of(config, config == null ? dataDir : null, System.getenv());
      if (where.missing() != null) {
        System.err.println("error: " + where.missing());
        return 2;
      }
      Path dataDir = where.dataDir();
      CaseFiles.Subject subject = which.cluster != null ? new CaseFiles.Subject("cluster", which.cluster)
          : new CaseFiles.Subject("account", which.account);
      AdminSource source = null;
      if (admin != null) {
        String token = adminToken != null ? adminToken
            : AdminToken.resolve(null, System.getenv(AdminToken.ENV), dataDir);
        source = new AdminSource(admin, token);
      }
      try (Store store = where.open()) {
        CaseFiles.Bundle b = new CaseFiles(store, source, dataDir, probes, Clock.systemUTC())
            .write(subject, actor.contains(":") ? actor : "cli:" + actor);
        System.out.println("case file " + b.id() + " for " + subject.wire());
        System.out.println("  folder   " + b.dir().toAbsolutePath());
        System.out.println("  bundle   " + b.zip().toAbsolutePath());
        System.out.println("  PDF      " + b.dir().resolve("case.pdf").toAbsolutePath());
        System.out.println("  sha256   " + b.sha256() + " (manifest.json; audit entry #" + b.auditSeq() + ")");
        if (source == null) {
          System.out.println("  note     written from the store alone; --admin URL adds live risk and linkage");
        }
      }
      return 0;
    }
  }
}
