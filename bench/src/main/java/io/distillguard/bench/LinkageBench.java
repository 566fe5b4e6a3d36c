package io.distillguard.bench;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import io.distillguard.core.Outcome;
import io.distillguard.core.SamplingParams;
import io.distillguard.linkage.ClusterTies;
import io.distillguard.linkage.InProcessKeyStages;
import io.distillguard.linkage.LinkageConfig;
import io.distillguard.linkage.LinkageEngine;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Cross-account linkage at scale, on one thread, with synthetic traffic that has the shapes linkage cares about:
 * individuals on their own addresses with popular clients and public system prompts, company seats behind NATs
 * with team cards, and hydras of 1,000-5,000 accounts on rented subnets with one template and one clock.
 *
 * <ul>
 *   <li><b>edge generation</b>: {@link LinkageEngine#accept} (profile update, text features, new keys filed,
 *       candidate pairs proposed, incremental joins) on pre-built exchanges, in exchanges per CPU second of the
 *       thread, after a warm-up, with the per-exchange latency distribution (HdrHistogram);</li>
 *   <li><b>clustering</b>: {@link LinkageEngine#recompute} over {@code --accounts} accounts (default 1,000,000)
 *       whose traffic was fed first, wall and CPU seconds, three times: first with every account new (every pair
 *       scored), then twice after {@code --active-share} of the accounts (default 0.1) sent another request (only
 *       pairs whose inputs changed scored again), and what a checkpoint in parts writes after each;</li>
 *   <li><b>request-path check</b>: {@link ClusterTies#match} of a new account's sign-up and request against the
 *       clustered accounts' snapshot, per call, for new customers and for a hydra's new accounts.</li>
 * </ul>
 *
 * <p>{@code java -Xmx10g -cp bench/target/benchmarks.jar io.distillguard.bench.LinkageBench [--accounts N]
 * [--exchanges-per-account K] [--threads T] [--active-share S] [--no-edges] [--heap]}; {@code --heap} measures
 * instead the heap of the engine that keeps the profiles in the stream job against a single engine's. CPU times are the main thread's (with
 * more threads, the workers' CPU is not in them: compare wall times).
 */
public final class LinkageBench {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
  private static final String[] UAS = {"OpenAI/Python 1.54.4", "OpenAI/JS 4.73.0", "Mozilla/5.0 Chrome/131.0",
      "python-requests/2.32.3", "curl/8.5.0", "Go-http-client/2.0"};
  private static final String[] SYSTEMS = {"You are a helpful assistant.",
      "You are a helpful, friendly assistant. Keep answers short unless asked for detail."};
  private static final String[] WORDS = ("the a of to and in is it you that he was for on are with as I his they "
      + "be at one have this from or had by word but what some we can out other were all there when up use your "
      + "how said an each she which do their time if will way about many then them write would like so these her "
      + "long make thing see him two has look more day could go come did number sound no most people my over know "
      + "water than call first who may down side been now find river mountain cloud engine garden harbor violin")
      .split(" ");

  private LinkageBench() {}

  public static void main(String[] args) {
    int accounts = 1_000_000;
    int perAccount = 3;
    int threads = 1;
    boolean edges = true;
    boolean heap = false;
    double activeShare = 0.1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--accounts" -> accounts = Integer.parseInt(args[++i]);
        case "--exchanges-per-account" -> perAccount = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--no-edges" -> edges = false;
        case "--heap" -> heap = true;
        case "--active-share" -> activeShare = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf(Locale.ROOT, "java %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
    if (heap) {
      heap(accounts, perAccount);
      return;
    }
    if (edges) {
      edgeGeneration();
    }
    clustering(accounts, perAccount, threads, activeShare);
  }

  /**
   * Heap of the engine that keeps the profiles, as the stream job runs it ({@link LinkageEngine#withKeysFiledElsewhere},
   * its key index a mirror of the buckets it reads) and as a single node runs it (the whole index), on the same
   * traffic (no sign-up attributes: the stream job has none); and of the two keyed stages' states, which spread over
   * the job's parallelism. Heap after full collections, so run it alone with {@code -Xmx} well above the figures.
   */
  private static void heap(int accounts, int perAccount) {
    System.out.printf(Locale.ROOT, "%nheap: %,d accounts, %d exchanges each%n", accounts, perAccount);
    for (boolean elsewhere : new boolean[] {false, true}) {
      long before = usedAfterGc();
      Population pop = new Population();
      LinkageConfig config = LinkageConfig.defaults();
      LinkageEngine engine = elsewhere ? LinkageEngine.withKeysFiledElsewhere(config, null)
          : new LinkageEngine(config, null);
      InProcessKeyStages keyed = new InProcessKeyStages(config);
      long folding = 0;
      long folded = 0;
      for (int i = 0; i < accounts; i++) {
        for (Exchange e : pop.account(i, perAccount)) {
          folded++;
          if (!elsewhere) {
            long t = System.nanoTime();
            engine.accept(e);
            folding += System.nanoTime() - t;
            continue;
          }
          InProcessKeyStages.Filed filed = keyed.file(e);
          long t = System.nanoTime();
          engine.accept(e, filed.observation(), filed.answers());
          folding += System.nanoTime() - t;
        }
        pop.attributes.clear();
        pop.created.clear();
      }
      pop = null;
      long all = usedAfterGc() - before;
      int stageAccounts = keyed.accounts();
      int stageKeys = keyed.keys();
      keyed = null;
      long engineBytes = usedAfterGc() - before;
      System.out.printf(Locale.ROOT, "  %s: engine %,d MB (%,d bytes per account), %,d keys in its index (%,d read "
          + "by scoring and ties); folding an exchange in took %.2f µs on average%n",
          elsewhere ? "profiles stage (keys filed elsewhere)" : "single engine", engineBytes >> 20,
          engineBytes / accounts, engine.keyCount(), engine.keysRead(), folding / 1e3 / folded);
      if (elsewhere) {
        long stages = all - engineBytes;
        System.out.printf(Locale.ROOT, "  keyed stages, on the heap of this process: %,d MB for %,d accounts' keys and "
            + "%,d keys' members (%,d bytes per account)%n", stages >> 20, stageAccounts, stageKeys,
            stages / accounts);
      }
      engine = null;
    }
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Generates accounts' exchanges in time order per account. */
  static final class Population {
    final SplittableRandom r = new SplittableRandom(42);
    final long t0 = Instant.parse("2025-03-03T00:00:00Z").getEpochSecond();
    final Map<String, Map<String, String>> attributes = new HashMap<>();
    final Map<String, Instant> created = new HashMap<>();
    long seq;
    int hydraLeft;
    int hydraIndex;
    String[] hydraSubnets;
    String hydraTemplate;
    /** The first hydra's subnets, template and first account (for the request-path check). */
    String[] firstSubnets;
    String firstTemplate;
    String firstMember;
    String[] orgNat;
    int orgLeft;
    String orgCard;
    String orgUa;

    /** The next account's exchanges; about 5% of accounts belong to hydras of 1,000-5,000, 30% are company seats. */
    List<Exchange> account(int i, int exchanges) {
      String id = "acct_" + i;
      List<Exchange> out = new ArrayList<>(exchanges);
      Map<String, String> attrs = new HashMap<>();
      if (hydraLeft == 0 && r.nextInt(57_000) == 0) {
        hydraLeft = 1000 + r.nextInt(4001);
        hydraIndex++;
        hydraSubnets = new String[4];
        for (int k = 0; k < 4; k++) {
          hydraSubnets[k] = (185 + r.nextInt(10)) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".";
        }
        hydraTemplate = r.nextBoolean() ? "Complete the following task as well as you can.\n\n" : "[INST] ";
        if (firstSubnets == null) {
          firstSubnets = hydraSubnets;
          firstTemplate = hydraTemplate;
          firstMember = id;
        }
      }
      if (hydraLeft > 0) {
        hydraLeft--;
        long createdAt = t0 + (i % 20) * 3600L;
        attrs.put("signup_ip", hydraSubnets[r.nextInt(4)] + (1 + r.nextInt(254)));
        attrs.put("email_domain", "mail" + hydraIndex + ".xyz");
        register(id, attrs, createdAt);
        long tick = createdAt / 900 * 900 + 900;
        for (int k = 0; k < exchanges; k++) {
          long at = tick + (long) (k * 32 + (i % 32)) * 900 + r.nextInt(3);
          out.add(exchange(id, at, hydraSubnets[r.nextInt(4)] + (1 + r.nextInt(254)), UAS[0], null,
              hydraTemplate + "Task " + i + "-" + k + ": " + words(8)));
        }
        return out;
      }
      if (orgLeft == 0 && r.nextDouble() < 0.02) {
        orgLeft = 2 + r.nextInt(60);
        orgNat = new String[] {(20 + r.nextInt(100)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "."};
        orgCard = r.nextBoolean() ? "card_org" + i : null;
        orgUa = UAS[r.nextInt(UAS.length)];
      }
      if (orgLeft > 0) {
        orgLeft--;
        String ip = orgNat[0] + (10 + r.nextInt(3));
        attrs.put("payment_fingerprint", orgCard != null ? orgCard : "card_" + i);
        attrs.put("signup_ip", ip);
        attrs.put("email_domain", "org" + orgNat[0] + "example");
        register(id, attrs, t0 - 86_400L * (30 + r.nextInt(700)));
        for (int k = 0; k < exchanges; k++) {
          out.add(exchange(id, t0 + r.nextInt(3 * 86_400), ip, r.nextDouble() < 0.7 ? orgUa : UAS[r.nextInt(3)],
              null, words(6 + r.nextInt(20))));
        }
        return out;
      }
      String ip = (20 + r.nextInt(180)) + "." + r.nextInt(256) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
      if (r.nextBoolean()) {
        attrs.put("payment_fingerprint", "card_" + i);
      }
      attrs.put("signup_ip", ip);
      attrs.put("email_domain", r.nextDouble() < 0.6 ? "gmail.com" : "mail" + r.nextInt(50) + ".example");
      register(id, attrs, t0 - 86_400L * r.nextInt(900));
      String ua = UAS[r.nextInt(UAS.length)];
      String system = r.nextDouble() < 0.1 ? SYSTEMS[r.nextInt(SYSTEMS.length)] : null;
      for (int k = 0; k < exchanges; k++) {
        out.add(exchange(id, t0 + r.nextInt(3 * 86_400), ip, ua, system, words(4 + r.nextInt(30)) + "?"));
      }
      return out;
    }

    private void register(String id, Map<String, String> attrs, long createdAt) {
      attributes.put(id, attrs);
      created.put(id, Instant.ofEpochSecond(createdAt));
    }

    String words(int n) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        sb.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
      }
      return sb.toString();
    }

    Exchange exchange(String account, long at, String ip, String ua, String system, String user) {
      List<ChatMessage> m = system == null ? List.of(new ChatMessage("user", user))
          : List.of(new ChatMessage("system", system), new ChatMessage("user", user));
      return new Exchange("x" + (seq++), Instant.ofEpochSecond(at), account, account + "-k", ip, ua,
          Long.toHexString(ua.hashCode()), "/v1/chat/completions", "m", SamplingParams.NONE, false, m, "answer",
          Exchange.promptDigest(m), user.length(), null, 6, 20, 30, 200, Outcome.OK, null, 1000, 900, 100);
    }
  }

  private static void edgeGeneration() {
    Population pop = new Population();
    List<Exchange> exchanges = new ArrayList<>();
    int accounts = 200_000;
    for (int i = 0; i < accounts; i++) {
      exchanges.addAll(pop.account(i, 5));
    }
    System.out.printf(Locale.ROOT, "%nedge generation: %,d exchanges of %,d accounts, one thread%n",
        exchanges.size(), accounts);
    for (int round = 1; round <= 3; round++) {
      LinkageEngine engine = new LinkageEngine(LinkageConfig.defaults(), null);
      for (Map.Entry<String, Map<String, String>> a : pop.attributes.entrySet()) {
        engine.account(a.getKey(), a.getValue(), pop.created.get(a.getKey()));
      }
      Fed f = feed(engine, exchanges);
      System.out.printf(Locale.ROOT, "  round %d: %s; %,d keys%n", round, f, engine.keyCount());
      if (round == 3) {
        newAccounts(engine, pop, exchanges);
      }
    }
  }

  /**
   * Edge generation for new accounts once clusters are acted on: the engine of the last round is recomputed (its
   * hydras blocked), then every account is opened again under a new id three days later, signed up the day it first
   * sends, with the same traffic shifted; while young and in no cluster, each of their exchanges is also checked
   * against the acted-on clusters' keys ({@link ClusterTies}), and the hydras' newcomers join their clusters.
   */
  private static void newAccounts(LinkageEngine engine, Population pop, List<Exchange> exchanges) {
    Instant at = Instant.parse("2025-03-06T00:00:00Z");
    engine.recompute(at);
    long shift = 3 * 86_400L;
    List<Exchange> again = new ArrayList<>(exchanges.size());
    Map<String, String> ids = new HashMap<>();
    for (Exchange e : exchanges) {
      String id = ids.computeIfAbsent(e.accountId(), a -> "new_" + a);
      again.add(new Exchange("n" + e.id(), e.eventTime().plusSeconds(shift), id, id + "-k", e.clientIp(),
          e.userAgent(), e.headerFingerprint(), e.endpoint(), e.model(), e.params(), e.stream(), e.messages(),
          e.responseText(), e.promptSha256(), e.promptChars(), e.responseSha256(), e.responseChars(),
          e.promptTokens(), e.completionTokens(), e.status(), e.outcome(), e.errorCode(), e.latencyMicros(),
          e.upstreamMicros(), e.firstByteMicros()));
    }
    again.sort(java.util.Comparator.comparing(Exchange::eventTime));
    for (Map.Entry<String, String> a : ids.entrySet()) {
      engine.account(a.getValue(), pop.attributes.get(a.getKey()), at);
    }
    Fed f = feed(engine, again);
    System.out.printf(Locale.ROOT, "  new accounts after a recomputation (%,d tying keys, %,d joins): %s%n",
        engine.ties().size(), f.actions, f);
  }

  /** What {@link #feed} measured. */
  private record Fed(int exchanges, long cpuNanos, long wallNanos, Histogram perExchange, int actions) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,.0f exchanges per CPU second (%,.0f per wall second); per exchange (mean "
          + "of 64) p50 %.1f us, p99 %.1f us, p99.9 %.1f us", exchanges * 1e9 / cpuNanos, exchanges * 1e9 / wallNanos,
          perExchange.getValueAtPercentile(50) / 1e3, perExchange.getValueAtPercentile(99) / 1e3,
          perExchange.getValueAtPercentile(99.9) / 1e3);
    }
  }

  /** Folds the exchanges in on this thread, timing them 64 at a time. */
  private static Fed feed(LinkageEngine engine, List<Exchange> exchanges) {
    int actions = 0;
    Histogram h = new Histogram(3);
    long cpu0 = MX.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    long last = wall0;
    for (int i = 0; i < exchanges.size(); i++) {
      actions += engine.accept(exchanges.get(i)).size();
      if ((i & 63) == 0) {
        long now = System.nanoTime();
        h.recordValue(Math.max(1, (now - last) / 64));
        last = now;
      }
    }
    return new Fed(exchanges.size(), MX.getCurrentThreadCpuTime() - cpu0, System.nanoTime() - wall0, h, actions);
  }

  /** CPU time of the whole JVM (every thread, the collector's too), or 0 when the platform does not say. */
  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  private static void clustering(int accounts, int perAccount, int threads, double activeShare) {
    Population pop = new Population();
    Exchange[] last = new Exchange[accounts];
    LinkageEngine engine = new LinkageEngine(LinkageConfig.defaults().withThreads(threads), null);
    long fed = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < accounts; i++) {
      List<Exchange> ex = pop.account(i, perAccount);
      String id = "acct_" + i;
      engine.account(id, pop.attributes.remove(id), pop.created.remove(id));
      for (Exchange e : ex) {
        engine.accept(e);
        fed++;
      }
      last[i] = ex.get(ex.size() - 1);
    }
    System.out.printf(Locale.ROOT, "%nclustering: %,d accounts (%d hydras), %,d exchanges fed in %.1f s, %,d keys "
        + "(%,d read by scoring and ties: what the stream job's profiles stage mirrors); pairs scored on %d "
        + "thread(s)%n", accounts, pop.hydraIndex, fed, (System.nanoTime() - t0) / 1e9, engine.keyCount(),
        engine.keysRead(), threads);
    Instant now = Instant.parse("2025-03-06T00:00:00Z");
    SplittableRandom pick = new SplittableRandom(7);
    for (int round = 1; round <= 3; round++) {
      if (round > 1) {
        // Between recomputations a share of the accounts sends again (its last request, repeated): only the pairs
        // of accounts whose profile changed, or that read a key whose weight changed, are scored again.
        int active = 0;
        for (int i = 0; i < accounts; i++) {
          if (pick.nextDouble() < activeShare) {
            Exchange e = last[i];
            engine.accept(new Exchange(e.id() + "-" + round, now.plusSeconds(round * 900L - 60), e.accountId(),
                e.keyId(), e.clientIp(), e.userAgent(), e.headerFingerprint(), e.endpoint(), e.model(), e.params(),
                e.stream(), e.messages(), e.responseText(), e.promptSha256(), e.promptChars(), e.responseSha256(),
                e.responseChars(), e.promptTokens(), e.completionTokens(), e.status(), e.outcome(), e.errorCode(),
                e.latencyMicros(), e.upstreamMicros(), e.firstByteMicros()));
            active++;
          }
        }
        System.out.printf(Locale.ROOT, "  %,d accounts (%.0f%%) sent again%n", active, activeShare * 100);
      }
      long cpu0 = MX.getCurrentThreadCpuTime();
      long process0 = processCpuNanos();
      long wall0 = System.nanoTime();
      int actions = engine.recompute(now.plusSeconds(round * 900L)).size();
      long cpu = MX.getCurrentThreadCpuTime() - cpu0;
      long process = processCpuNanos() - process0;
      long wall = System.nanoTime() - wall0;
      System.out.printf(Locale.ROOT, "  recompute %d: %.1f s wall, %.1f s CPU of the main thread, %.1f s CPU of the "
          + "process (with collections and pair threads); %s; %,d actions%n", round, wall / 1e9, cpu / 1e9,
          process / 1e9, engine.lastRecomputation(), actions);
      checkpoint(engine);
    }
    long whole = checkpointBytes(engine);
    System.out.printf(Locale.ROOT, "  the whole state in one blob (LinkageEngine.writeState): %,d MB%n", whole >> 20);
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.out.printf(Locale.ROOT, "  heap after GC: %,d MB%n", (rt.totalMemory() - rt.freeMemory()) >> 20);
    requestPathCheck(engine, pop);
  }

  /**
   * What a checkpoint in parts writes now ({@link LinkageEngine#writeChanges}: the profiles and buckets that changed
   * since the last one; {@link LinkageEngine#writeGlobals}: the rest), as a stream operator would at a checkpoint.
   */
  private static void checkpoint(LinkageEngine engine) {
    try {
      long[] parts = new long[2];
      long t0 = System.nanoTime();
      int n = engine.writeChanges(new LinkageEngine.ChangeSink() {
        @Override
        public void profile(int index, byte[] state) {
          parts[0] += state.length;
        }

        @Override
        public void bucket(long key, byte[] state) {
          parts[1] += state.length;
        }
      });
      java.io.ByteArrayOutputStream globals = new java.io.ByteArrayOutputStream();
      engine.writeGlobals(new java.io.DataOutputStream(globals));
      System.out.printf(Locale.ROOT, "    checkpoint in parts after it: %,d parts changed (profiles %,d MB, "
          + "buckets %,d MB), globals %,d MB, written in %.1f s%n", n, parts[0] >> 20, parts[1] >> 20, globals.size() >> 20,
          (System.nanoTime() - t0) / 1e9);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long checkpointBytes(LinkageEngine engine) {
    long[] size = new long[1];
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        size[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        size[0] += len;
      }
    })) {
      engine.writeState(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return size[0];
  }

  /**
   * The gateway's request-path check ({@link ClusterTies#match} on a sign-up and one request, as
   * {@code ClusterTieStage} calls it) against the snapshot of the clustered million: a new customer's request (no
   * anchor key ties: three hash look-ups) and a new account of the first hydra (its subnet ties: the prompt is read
   * and the profile built), each timed one call at a time after a warm-up.
   */
  private static void requestPathCheck(LinkageEngine engine, Population pop) {
    ClusterTies ties = engine.ties(); // built by the last recomputation, which it is part of
    String cluster = engine.clusterOf(pop.firstMember);
    System.out.printf(Locale.ROOT, "%nrequest-path check: %,d tying keys; the first hydra is in %s at %s%n",
        ties.size(), cluster, cluster == null ? "-" : engine.cluster(cluster).level());
    long at = Instant.parse("2025-03-06T01:00:00Z").getEpochSecond();
    Instant created = Instant.ofEpochSecond(at - 600);
    int n = 200_000;
    List<Exchange> customers = new ArrayList<>(n);
    List<Exchange> newcomers = new ArrayList<>(n);
    Map<String, String> home = Map.of("signup_ip", "99.1.2.3", "email_domain", "gmail.com");
    for (int i = 0; i < n; i++) {
      String ip = (20 + pop.r.nextInt(150)) + "." + pop.r.nextInt(256) + "." + pop.r.nextInt(256) + ".7";
      customers.add(pop.exchange("new_" + i, at + i, ip, UAS[pop.r.nextInt(UAS.length)], null,
          pop.words(4 + pop.r.nextInt(30)) + "?"));
      newcomers.add(pop.exchange("late_" + i, at + i, pop.firstSubnets[pop.r.nextInt(4)] + (1 + pop.r.nextInt(254)),
          UAS[0], null, pop.firstTemplate + "Task late-" + i + ": " + pop.words(8)));
    }
    for (String[] run : new String[][] {{"new customers", "c"}, {"a hydra's new accounts", "h"}}) {
      List<Exchange> list = run[1].equals("c") ? customers : newcomers;
      int tied = 0;
      for (int i = 0; i < 50_000; i++) {
        ties.match(home, created, list.get(i)); // warm-up
      }
      Histogram h = new Histogram(3);
      for (Exchange e : list) {
        long s = System.nanoTime();
        ClusterTies.Tie t = ties.match(home, created, e);
        h.recordValue(Math.max(1, System.nanoTime() - s));
        tied += t != null ? 1 : 0;
      }
      System.out.printf(Locale.ROOT, "  %s: %,d of %,d tied; per request p50 %.2f us, p99 %.2f us, p99.9 %.2f us, "
          + "mean %.2f us%n", run[0], tied, list.size(), h.getValueAtPercentile(50) / 1e3,
          h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMean() / 1e3);
    }
  }
}
