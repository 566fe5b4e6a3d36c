package io.distillguard.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * CPU accounting of the whole machine from /proc (Linux), to say how much of a measurement other processes took:
 * on a small shared machine a compile or a test run next door changes the figures more than the gateway does.
 * Everything is in clock ticks (USER_HZ, 100 per second on Linux).
 */
final class Machine {
  private static final double TICKS_PER_SECOND = 100.0;
  private static final boolean AVAILABLE = Files.isReadable(Path.of("/proc/stat"));

  private final Map<Long, String> ours;

  /** @param ours the processes of the measurement (this JVM, an external gateway and upstream) with labels */
  Machine(Map<Long, String> ours) {
    this.ours = ours;
  }

  /**
   * CPU ticks per process and the machine's busy/total ticks at one moment; for our own processes also per
   * thread, keyed by process and thread name (digits folded: "vert.x-eventloo#" sums all event loops).
   */
  record Sample(long nanos, Map<Long, Long> perProcess, Map<Long, String> names, long busy, long total,
      Map<String, Long> ourThreads, Map<String, Long> ourSystemTicks) {}

  Sample sample() {
    Map<Long, Long> per = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    long busy = 0;
    long total = 0;
    Map<String, Long> threads = new HashMap<>();
    Map<String, Long> ourSystem = new HashMap<>();
    if (AVAILABLE) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p))) {
        for (Path d : dirs) {
          try {
            String stat = Files.readString(d.resolve("stat"));
            int close = stat.lastIndexOf(')');
            String[] f = stat.substring(close + 2).split(" ");
            long pid = Long.parseLong(d.getFileName().toString());
            per.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
            if (ours.containsKey(pid)) {
              ourSystem.merge(ours.get(pid), Long.parseLong(f[12]), Long::sum);
            }
            names.put(pid, stat.substring(stat.indexOf('(') + 1, close));
          } catch (IOException | RuntimeException e) {
            // the process ended meanwhile
          }
        }
        for (Map.Entry<Long, String> e : ours.entrySet()) {
          try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + e.getKey() + "/task"))) {
            for (Path t : tasks) {
              try {
                String stat = Files.readString(t.resolve("stat"));
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                String thread = stat.substring(stat.indexOf('(') + 1, close).replaceAll("[0-9]+", "#");
                threads.merge(e.getValue() + ":" + thread, Long.parseLong(f[11]) + Long.parseLong(f[12]),
                    Long::sum);
              } catch (IOException | RuntimeException ex) {
                // the thread ended meanwhile
              }
            }
          } catch (IOException | RuntimeException ex) {
            // the process is gone
          }
        }
        String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        for (int i = 1; i < Math.min(cpu.length, 9); i++) {
          long v = Long.parseLong(cpu[i]);
          total += v;
          if (i != 4 && i != 5) { // idle, iowait
            busy += v;
          }
        }
      } catch (IOException | RuntimeException e) {
        // accounting is best effort
      }
    }
    return new Sample(System.nanoTime(), per, names, busy, total, threads, ourSystem);
  }

  /** What happened between two samples. */
  record Usage(double seconds, double machineBusyCores, double oursCores, double othersCores, String topOthers,
      Map<String, Double> oursByProcess, Map<String, Double> oursByThread, Map<String, Double> systemByProcess) {
    /** True when other processes took more than {@code cores} on average. */
    boolean disturbed(double cores) {
      return othersCores > cores;
    }

    String describe() {
      if (seconds <= 0) {
        return "cpu accounting unavailable";
      }
      return String.format(Locale.ROOT, "cpu: measurement %.2f cores, other processes %.2f cores%s", oursCores,
          othersCores, othersCores >= 0.05 ? " (" + topOthers + ")" : "");
    }

    /** This usage and another one, as if measured over both periods. */
    Usage plus(Usage o) {
      double t = seconds + o.seconds;
      if (t <= 0) {
        return this;
      }
      Map<String, Double> p = new java.util.TreeMap<>();
      oursByProcess.forEach((k, v) -> p.merge(k, v * seconds / t, Double::sum));
      o.oursByProcess.forEach((k, v) -> p.merge(k, v * o.seconds / t, Double::sum));
      Map<String, Double> th = new HashMap<>();
      oursByThread.forEach((k, v) -> th.merge(k, v * seconds / t, Double::sum));
      o.oursByThread.forEach((k, v) -> th.merge(k, v * o.seconds / t, Double::sum));
      return new Usage(t, (machineBusyCores * seconds + o.machineBusyCores * o.seconds) / t,
          (oursCores * seconds + o.oursCores * o.seconds) / t, (othersCores * seconds + o.othersCores * o.seconds) / t,
          topOthers, p, th, merge(systemByProcess, seconds, o.systemByProcess, o.seconds, t));
    }

    private static Map<String, Double> merge(Map<String, Double> a, double sa, Map<String, Double> b, double sb,
        double t) {
      Map<String, Double> m = new java.util.TreeMap<>();
      a.forEach((k, v) -> m.merge(k, v * sa / t, Double::sum));
      b.forEach((k, v) -> m.merge(k, v * sb / t, Double::sum));
      return m;
    }

    static Usage none() {
      return new Usage(0, 0, 0, 0, "", Map.of(), Map.of(), Map.of());
    }

    /** CPU of our processes (and their busiest threads) in microseconds per request. */
    String perRequest(long requests) {
      if (seconds <= 0 || requests <= 0) {
        return "";
      }
      double scale = seconds * 1e6 / requests;
      double sys = systemByProcess.values().stream().mapToDouble(Double::doubleValue).sum();
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "CPU per request %.0f µs (%.0f%% kernel)",
          oursCores * scale, oursCores > 0 ? 100 * sys / oursCores : 0));
      if (oursByProcess.size() > 1) {
        sb.append(" [");
        oursByProcess.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '[' ? "" : ", ").append(k)
            .append(String.format(Locale.ROOT, " %.0f (%.0f%% kernel)", v * scale,
                v > 0 ? 100 * systemByProcess.getOrDefault(k, 0.0) / v : 0)));
        sb.append("]");
      }
      List<Map.Entry<String, Double>> t = new ArrayList<>(oursByThread.entrySet());
      t.sort((x, y) -> Double.compare(y.getValue(), x.getValue()));
      sb.append("; threads:");
      for (int i = 0; i < Math.min(6, t.size()); i++) {
        if (t.get(i).getValue() * scale < 1) {
          break;
        }
        sb.append(String.format(Locale.ROOT, " %s %.0f", t.get(i).getKey(), t.get(i).getValue() * scale));
      }
      return sb.toString();
    }
  }

  Usage between(Sample a, Sample b) {
    double seconds = (b.nanos - a.nanos) / 1e9;
    if (!AVAILABLE || seconds <= 0 || b.total == a.total) {
      return new Usage(0, 0, 0, 0, "", Map.of(), Map.of(), Map.of());
    }
    long oursTicks = 0;
    long othersTicks = 0;
    Map<String, Double> byProcess = new java.util.TreeMap<>();
    double perTick = 1.0 / TICKS_PER_SECOND / seconds;
    List<Map.Entry<Long, Long>> others = new ArrayList<>();
    for (Map.Entry<Long, Long> e : b.perProcess.entrySet()) {
      long d = e.getValue() - a.perProcess.getOrDefault(e.getKey(), 0L);
      if (d <= 0) {
        continue;
      }
      if (ours.containsKey(e.getKey())) {
        oursTicks += d;
        byProcess.merge(ours.get(e.getKey()), d * perTick, Double::sum);
      } else {
        othersTicks += d;
        others.add(Map.entry(e.getKey(), d));
      }
    }
    others.sort((x, y) -> Long.compare(y.getValue(), x.getValue()));
    StringBuilder top = new StringBuilder();
    for (int i = 0; i < Math.min(3, others.size()); i++) {
      Map.Entry<Long, Long> e = others.get(i);
      if (top.length() > 0) {
        top.append(", ");
      }
      top.append(b.names.getOrDefault(e.getKey(), "?")).append('[').append(e.getKey()).append("] ")
          .append(String.format(Locale.ROOT, "%.2f", e.getValue() / TICKS_PER_SECOND / seconds));
    }
    Map<String, Double> byThread = new HashMap<>();
    b.ourThreads.forEach((k, v) -> {
      long d = v - a.ourThreads.getOrDefault(k, 0L);
      if (d > 0) {
        byThread.put(k, d * perTick);
      }
    });
    double busyCores = (b.busy - a.busy) / TICKS_PER_SECOND / seconds;
    return new Usage(seconds, busyCores, oursTicks * perTick, othersTicks * perTick, top.toString(), byProcess,
        byThread, systemDelta(a, b, perTick));
  }

  private static Map<String, Double> systemDelta(Sample a, Sample b, double perTick) {
    Map<String, Double> m = new java.util.TreeMap<>();
    b.ourSystemTicks.forEach((k, v) -> {
      long d = v - a.ourSystemTicks.getOrDefault(k, 0L);
      if (d > 0) {
        m.put(k, d * perTick);
      }
    });
    return m;
  }

  /**
   * Waits (up to {@code maxSeconds}) for a 1-second window in which other processes use less than
   * {@code cores}; returns that window's usage (or the last one seen).
   */
  Usage awaitQuiet(double cores, int maxSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
    Usage u;
    do {
      Sample a = sample();
      Thread.sleep(1_000);
      u = between(a, sample());
      if (!u.disturbed(cores)) {
        return u;
      }
    } while (System.nanoTime() < deadline);
    return u;
  }

  private static boolean isNumber(Path p) {
    String n = p.getFileName().toString();
    for (int i = 0; i < n.length(); i++) {
      if (!Character.isDigit(n.charAt(i))) {
        return false;
      }
    }
    return !n.isEmpty();
  }
}
