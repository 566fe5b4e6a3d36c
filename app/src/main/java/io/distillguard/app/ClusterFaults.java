package io.distillguard.app;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The failures a production cluster meets, staged on a {@link LocalCluster} while traffic flows: the last gateway
 * node killed (SIGKILL) and started again, the Kafka broker down for a while, the detection job cancelled and
 * restarted from its newest checkpoint. Each happens once, when the simulated clock passes its mark, on a thread
 * of its own so the traffic never waits for it.
 */
final class ClusterFaults {
  /** Where in the simulated run each fault happens, as fractions of it. */
  private static final double[] MARKS = {0.25, 0.40, 0.55, 0.70};
  static final Duration BROKER_OUTAGE = Duration.ofSeconds(8);

  private final LocalCluster cluster;
  private final Instant start;
  private final Duration length;
  private final Consumer<String> say;
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cluster-faults");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private volatile Path restoredFrom;

  ClusterFaults(LocalCluster cluster, Instant start, Duration length, Consumer<String> say) {
    this.cluster = cluster;
    this.start = start;
    this.length = length;
    this.say = say;
  }

  /** Stages every fault whose mark the simulated clock has passed. */
  void at(Instant simulated) {
    if (simulated == null) {
      return;
    }
    double f = (double) Duration.between(start, simulated).toMillis() / length.toMillis();
    while (next.get() < MARKS.length && f >= MARKS[next.get()]) {
      int act = next.getAndIncrement();
      worker.execute(() -> act(act));
    }
  }

  /** Stages the faults a short run did not reach (after its traffic), and waits for all of them. */
  void finish() {
    at(start.plus(length));
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Faults that could not be staged (each said why). */
  int failed() {
    return failed.get();
  }

  /** The checkpoint the job was restarted from, once it was. */
  Path restoredFrom() {
    return restoredFrom;
  }

  private void act(int act) {
    LocalCluster.GatewayProcess victim = cluster.node(cluster.nodes().size() - 1);
    boolean several = cluster.nodes().size() > 1;
    try {
      switch (act) {
        case 0 -> {
          if (several) {
            victim.kill();
            say.accept("FAULT: " + victim.name + " killed (SIGKILL, nothing flushed); the load balancer sends its "
                + "share to the others");
          }
        }
        case 1 -> {
          if (several) {
            victim.start();
            say.accept("RECOVERY: " + victim.name + " started again: it replays what it had journaled and reads the "
                + "verdict topic from the start before serving");
          }
        }
        case 2 -> {
          cluster.kafka().stop();
          say.accept("FAULT: the Kafka broker is down for " + BROKER_OUTAGE.toSeconds() + " s; the nodes keep "
              + "serving and spill exchanges to disk");
          LocalCluster.sleep(BROKER_OUTAGE.toMillis());
          cluster.kafka().start();
          say.accept("RECOVERY: the broker is back; the nodes replay their spills in order");
        }
        case 3 -> {
          restoredFrom = cluster.restartJobFromCheckpoint();
          say.accept("FAULT+RECOVERY: the detection job was cancelled and restarted from its checkpoint "
              + restoredFrom + " (exchanges after it are read again; the job's dedupe folds each in once)");
        }
        default -> { }
      }
    } catch (Exception e) {
      failed.incrementAndGet();
      say.accept("(fault " + act + " could not be staged: " + e + ")");
    }
  }
}
