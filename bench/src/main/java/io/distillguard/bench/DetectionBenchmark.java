package io.distillguard.bench;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.DetectionEngine;
import io.distillguard.core.detect.DetectionModel;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.DetectorSet;
import io.distillguard.core.detect.Verdict;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cheap detection tier on one core: exchanges per second through {@link DetectionEngine#accept} with the shipped
 * model ({@code set=default}: its weighted detectors, logistic score, levels) or with every cheap detector
 * ({@code set=all}, what the calibration samples), on realistic traffic: {@value #COUNT} exchanges of
 * {@code week-10k.yaml} from day 4 on, when every campaign runs beside ~10,000 benign accounts and the heavy users.
 *
 * <p>The engine is single-threaded by design (one per key partition), so one benchmark thread is one core's rate.
 * When the trace is used up the engine starts over empty, as after a restart; new accounts then pay for their
 * fresh state, about once per account per pass.
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar DetectionBenchmark -f 3 -wi 5 -i 10 -w 2s -r 2s
 * java -cp bench/target/benchmarks.jar io.distillguard.bench.DetectionStateSize   # the per-account state size
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 3, jvmArgsAppend = {"-Xmx3g", "-XX:+UseParallelGC"})
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
public class DetectionBenchmark {
  static final int COUNT = 300_000;

  @Param({"default", "all"})
  public String set;

  @Param({"scenarios/week-10k.yaml"})
  public String scenario;

  private Exchange[] trace;
  private DetectorSet detectors;
  private DetectionEngine engine;
  private int next;

  /** The shipped model, or every cheap detector under the model's scorer and levels. */
  static DetectorSet set(String name) {
    DetectionModel m = DetectionModel.loadDefault();
    if (name.equals("default")) {
      return m.detectorSet("default");
    }
    List<Detector<?>> all = new ArrayList<>();
    for (String d : DetectionModel.DETECTORS) {
      all.add(DetectionModel.detector(d, m.paceRequestsPerDay(), m.paceTokensPerDay()));
    }
    return new DetectorSet("all", "every cheap detector", all, m.scorer(), m.policy());
  }

  @Setup(Level.Trial)
  public void setUp() {
    trace = DetectionTraces.capture(Path.of(scenario), Duration.ofDays(3), COUNT);
    if (trace.length < COUNT / 2) {
      throw new IllegalStateException("the scenario gave only " + trace.length + " exchanges");
    }
    detectors = set(set);
    engine = detectors.newEngine();
  }

  /**
   * Exchanges per CPU second of the benchmark thread, beside JMH's wall-clock rate: on a machine shared with other
   * work, the wall-clock rate measures the share of a core the thread got; this measures the core. It leaves out the
   * garbage collector's threads ({@code -prof gc} shows what they cost). JMH divides an operations counter
   * by the iteration's wall time, so the counter holds the exchanges scaled by wall time over CPU time.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Cpu {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** Exchanges per CPU second (once JMH has divided it by the iteration's wall time). */
    public double perCpuSecond;
    long ops;
    private long cpu0;
    private long wall0;
    private long ops0;

    @Setup(Level.Iteration)
    public void start() {
      perCpuSecond = 0;
      ops0 = ops;
      wall0 = System.nanoTime();
      cpu0 = MX.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void stop() {
      long cpu = MX.getCurrentThreadCpuTime() - cpu0;
      long wall = System.nanoTime() - wall0;
      perCpuSecond = cpu <= 0 ? 0 : (ops - ops0) * (double) wall / cpu;
    }
  }

  @Benchmark
  public Verdict accept(Cpu cpu) {
    cpu.ops++;
    Exchange e = trace[next];
    if (++next == trace.length) {
      next = 0;
      engine = detectors.newEngine();
    }
    return engine.accept(e);
  }
}
