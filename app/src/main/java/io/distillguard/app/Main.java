package io.distillguard.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code distillguard} command line. */
@Command(
    name = "distillguard",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A gateway that detects and stops distillation attacks on LLM APIs.",
    subcommands = {ServeCommand.class, DemoCommand.class, UpstreamCommand.class, EvalCommand.class,
        SimulateCommand.class, DistillCommand.class, AnalyzeCommand.class, DatasetsCommand.class,
        CalibrateCommand.class, EmbeddingsReferenceCommand.class, StudentCommand.class, ProbeCommand.class,
        WatermarkCommand.class, ReportCommand.class, VerifyAuditCommand.class, ClusterDemoCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    // Some libraries (the Kafka broker's, Flink's) log through the Log4j 2 API, which has no backend in this jar and
    // would complain about it on the terminal: its simple logger, errors only, takes them.
    if (System.getProperty("log4j2.loggerContextFactory") == null) {
      System.setProperty("log4j2.loggerContextFactory", "org.apache.logging.log4j.simple.SimpleLoggerContextFactory");
    }
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      cmd.getErr().println("error: " + ex.getMessage());
      return 1;
    });
    return cl.execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"distillguard " + (v == null ? "development build" : v)};
    }
  }
}
