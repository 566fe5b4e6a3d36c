package io.distillguard.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures {@code System.out} and {@code System.err} around each test, for tests that run the command line through
 * {@link Main#run}. Register it on an instance field:
 *
 * <pre>{@code @RegisterExtension final CommandRun cli = new CommandRun();}</pre>
 *
 * Before each test both streams are replaced by UTF-8 print streams into memory (autoflush); after it the previous
 * streams are put back. What was printed accumulates over the whole test until {@link #resetOut()} or
 * {@link #resetErr()}.
 */
final class CommandRun implements BeforeEachCallback, AfterEachCallback {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @Override
  public void beforeEach(ExtensionContext context) {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Override
  public void afterEach(ExtensionContext context) {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  /** Everything printed to {@code System.out} so far (since the last {@link #resetOut()}). */
  String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Everything printed to {@code System.err} so far (since the last {@link #resetErr()}). */
  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Forgets what was printed to {@code System.out}. */
  void resetOut() {
    out.reset();
  }

  /** Forgets what was printed to {@code System.err}. */
  void resetErr() {
    err.reset();
  }
}
