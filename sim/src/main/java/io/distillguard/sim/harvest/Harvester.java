package io.distillguard.sim.harvest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.http.OpenAiWire;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The attacker's harvest tool: sends a prompt set to an OpenAI-compatible endpoint through many API keys and keeps
 * every (prompt, answer) pair as a fine-tuning example, the way distillation campaigns collect training data.
 *
 * <p>Keys rotate round-robin or at random; {@code X-Forwarded-For} can rotate over CIDR networks (it only matters
 * where the endpoint believes the header, as a gateway does from its trusted proxies). A 429 rests its key for its
 * {@code Retry-After} and the prompt moves to another key; a 5xx or a timeout is retried with exponential backoff; a
 * 401 or 403 kills the key. The harvest stops when the prompts are exhausted, when {@code max} pairs are written, or
 * when every key is dead.
 *
 * <p>Output: one JSON line per pair in the common chat fine-tuning format
 * {@code {"messages":[{"role":"user","content":...},{"role":"assistant","content":...}]}}, appended to the file
 * (never truncated) and written whole, line by line, so an interrupted harvest loses nothing and can be resumed.
 */
public final class Harvester {

  /** Why a harvest ended. */
  public enum StopReason {
    PROMPTS_EXHAUSTED("every prompt was tried"),
    MAX_REACHED("the --max number of pairs was reached"),
    ALL_KEYS_DEAD("every key was refused (401/403): the accounts are blocked or the keys revoked"),
    INTERRUPTED("interrupted");

    private final String description;

    StopReason(String description) {
      this.description = description;
    }

    public String describe() {
      return name().toLowerCase(Locale.ROOT).replace('_', ' ') + " (" + description + ")";
    }
  }

  /** How the harvest waits and reads the time; tests replace it to run without waiting. */
  public interface Clock {
    long nanoTime();

    void sleep(long nanos) throws InterruptedException;

    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleep(long nanos) throws InterruptedException {
        if (nanos > 0) {
          Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        }
      }
    };
  }

  /** One harvested pair, handed to a listener after it is written. */
  public record Pair(String prompt, String response, int completionTokens) {}

  /** How to harvest. */
  public static final class Options {
    String target;
    List<String> keys = List.of();
    int concurrency = 8;
    long max;
    String model;
    Path out;
    boolean resume;
    boolean randomRotation;
    long seed = 1;
    List<Cidr> forwardedFor = List.of();
    int maxAttempts = 5;
    int max429 = 20;
    Duration backoff = Duration.ofSeconds(1);
    Duration maxBackoff = Duration.ofSeconds(60);
    Duration maxRetryAfter = Duration.ofMinutes(10);
    Duration requestTimeout = Duration.ofMinutes(2);
    Integer maxTokens;
    Double temperature;
    String userAgent = "python-requests/2.31.0";
    Clock clock = Clock.SYSTEM;
    Consumer<Pair> listener;
    HttpClient http;

    /** The endpoint, e.g. {@code http://127.0.0.1:8080/v1} ({@code /v1} is added when missing). */
    public Options target(String url) {
      this.target = url;
      return this;
    }

    public Options keys(List<String> keys) {
      this.keys = List.copyOf(keys);
      return this;
    }

    /** Requests in flight at most (default 8). */
    public Options concurrency(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("concurrency must be 1 to 1024, got " + n);
      }
      this.concurrency = n;
      return this;
    }

    /** Stop after this many pairs (0 = no limit). */
    public Options max(long n) {
      if (n < 0) {
        throw new IllegalArgumentException("max must be 0 (no limit) or positive, got " + n);
      }
      this.max = n;
      return this;
    }

    /** The model to ask; default: the first the endpoint lists at {@code /v1/models}. */
    public Options model(String m) {
      this.model = m;
      return this;
    }

    /** Where pairs are appended (JSONL). */
    public Options out(Path p) {
      this.out = p;
      return this;
    }

    /** Skip prompts whose pair the output file already holds. */
    public Options resume(boolean on) {
      this.resume = on;
      return this;
    }

    /** Random key rotation (seeded) instead of round-robin. */
    public Options randomRotation(boolean on) {
      this.randomRotation = on;
      return this;
    }

    public Options seed(long s) {
      this.seed = s;
      return this;
    }

    /** Present a random address of these networks in {@code X-Forwarded-For} on each request. */
    public Options forwardedFor(List<Cidr> networks) {
      this.forwardedFor = List.copyOf(networks);
      return this;
    }

    /** Attempts per prompt on 5xx answers and timeouts (default 5). */
    public Options maxAttempts(int n) {
      this.maxAttempts = Math.max(1, n);
      return this;
    }

    /** 429 answers per prompt before it is given up (default 20). */
    public Options max429(int n) {
      this.max429 = Math.max(1, n);
      return this;
    }

    /** First backoff after a 5xx or timeout (doubles each attempt, up to {@code max}). */
    public Options backoff(Duration first, Duration max) {
      this.backoff = first;
      this.maxBackoff = max;
      return this;
    }

    /** Longest Retry-After honoured (longer ones are cut to this). */
    public Options maxRetryAfter(Duration d) {
      this.maxRetryAfter = d;
      return this;
    }

    public Options requestTimeout(Duration d) {
      this.requestTimeout = Objects.requireNonNull(d);
      return this;
    }

    public Options maxTokens(Integer n) {
      this.maxTokens = n;
      return this;
    }

    public Options temperature(Double t) {
      this.temperature = t;
      return this;
    }

    public Options userAgent(String ua) {
      this.userAgent = ua;
      return this;
    }

    public Options clock(Clock c) {
      this.clock = Objects.requireNonNull(c);
      return this;
    }

    /** Called (on a worker thread) after each pair is written. */
    public Options listener(Consumer<Pair> l) {
      this.listener = l;
      return this;
    }

    public Options http(HttpClient client) {
      this.http = client;
      return this;
    }
  }

  private final Options o;
  private final String api;
  private final HttpClient http;
  private final KeyRing ring;
  private final SplittableRandom xffRng;

  // shared state, guarded by this
  private Iterator<String> prompts;
  private long served;
  private long inProgress;
  private long tried;
  private long refused;
  private long failed;
  private long rejected;
  private long skipped;
  private long retries;
  private long completionTokens;
  private int deadKeys;
  private final Map<Integer, Long> byStatus = new TreeMap<>();
  private StopReason stop;
  private Set<String> done = Set.of();
  private OutputStream sink;
  private volatile ExecutorService pool;

  /**
   * @throws IllegalArgumentException for a bad target URL or no keys
   */
  public Harvester(Options options) {
    this.o = options;
    this.api = OpenAiWire.apiBase(options.target, "--target");
    List<String> keys = new ArrayList<>();
    for (String k : options.keys) {
      if (k != null && !k.isBlank() && !keys.contains(k.strip())) {
        keys.add(k.strip());
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no API keys: give --key KEY (repeatable) or --keys FILE");
    }
    this.ring = new KeyRing(keys, options.randomRotation, options.seed);
    this.xffRng = new SplittableRandom(options.seed ^ 0x5DEECE66DL);
    this.http = options.http != null ? options.http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** Reads keys from a file: one a line; blank lines and lines starting with # are ignored. */
  public static List<String> readKeys(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("key file not found: " + file);
    }
    try {
      List<String> out = new ArrayList<>();
      for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String t = l.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          out.add(t);
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("key file " + file + " holds no keys");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read key file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Harvests until the prompts are exhausted, {@code max} pairs are written or every key is dead.
   *
   * @throws IllegalStateException when no model is given and the endpoint lists none
   */
  public HarvestReport run(List<String> promptSet) {
    long start = o.clock.nanoTime();
    String model = o.model != null && !o.model.isBlank() ? o.model : discoverModel();
    if (o.resume && o.out != null) {
      done = alreadyHarvested(o.out);
    }
    prompts = promptSet.iterator();
    ExecutorService pool = Executors.newFixedThreadPool(o.concurrency, r -> {
      Thread t = new Thread(r, "harvest-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.pool = pool;
    try (OutputStream out = o.out == null ? OutputStream.nullOutputStream() : openAppend(o.out)) {
      sink = out;
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < o.concurrency; i++) {
        workers.add(pool.submit(() -> work(model)));
      }
      for (Future<?> f : workers) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          synchronized (this) {
            stop = stop == null ? StopReason.INTERRUPTED : stop;
          }
          pool.shutdownNow();
          break;
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable c = e.getCause();
          throw c instanceof RuntimeException re ? re : new IllegalStateException(c);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + o.out + ": " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
    synchronized (this) {
      StopReason reason = stop != null ? stop : StopReason.PROMPTS_EXHAUSTED;
      return new HarvestReport(served, tried, refused, failed, rejected, skipped, new TreeMap<>(byStatus),
          ring.size(), deadKeys, retries, completionTokens, Duration.ofNanos(o.clock.nanoTime() - start), reason,
          o.out);
    }
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Stops a running harvest from another thread (e.g. on Ctrl-C): requests under way are abandoned. */
  public void stop() {
    synchronized (this) {
      stop = stop == null ? StopReason.INTERRUPTED : stop;
      notifyAll();
    }
    ExecutorService p = pool;
    if (p != null) {
      p.shutdownNow();
    }
  }

  /** Takes the next prompt, or null when the harvest is over (for whatever reason). */
  private synchronized String take() {
    while (true) {
      if (stop != null) {
        return null;
      }
      if (Thread.currentThread().isInterrupted()) {
        stop = StopReason.INTERRUPTED;
        return null;
      }
      if (o.max > 0 && served >= o.max) {
        stop = StopReason.MAX_REACHED;
        return null;
      }
      if (o.max > 0 && served + inProgress >= o.max) {
        // Enough prompts are under way to reach max; wait to see whether they all succeed.
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stop = stop == null ? StopReason.INTERRUPTED : stop;
          return null;
        }
        continue;
      }
      if (!prompts.hasNext()) {
        return null;
      }
      String p = prompts.next();
      if (done.contains(p)) {
        skipped++;
        continue;
      }
      tried++;
      inProgress++;
      return p;
    }
  }

  private void work(String model) {
    String prompt;
    while ((prompt = take()) != null) {
      Outcome result;
      try {
        result = harvestOne(model, prompt);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result = Outcome.INTERRUPTED;
      }
      synchronized (this) {
        inProgress--;
        notifyAll();
        switch (result) {
          case SERVED -> {
            if (o.max > 0 && served >= o.max) {
              stop = stop == null ? StopReason.MAX_REACHED : stop;
            }
          }
          case REFUSED -> refused++;
          case FAILED -> failed++;
          case REJECTED -> rejected++;
          case INTERRUPTED -> stop = stop == null ? StopReason.INTERRUPTED : stop;
          default -> { }
        }
      }
      if (result == Outcome.INTERRUPTED) {
        return;
      }
    }
  }

  private enum Outcome { SERVED, REFUSED, FAILED, REJECTED, INTERRUPTED }

  private Outcome harvestOne(String model, String prompt) throws InterruptedException {
    byte[] body = OpenAiWire.chatBody(model, List.of(new ChatMessage("user", prompt)),
        new SamplingParams(o.temperature, null, null, o.maxTokens, null, null, null, 0), false);
    int attempts = 0;
    int limited = 0;
    boolean first = true;
    while (true) {
      KeyRing.Pick pick = ring.pick(o.clock.nanoTime());
      if (pick.allDead()) {
        synchronized (this) {
          stop = StopReason.ALL_KEYS_DEAD;
        }
        return Outcome.REFUSED;
      }
      if (pick.key() == null) {
        o.clock.sleep(Math.min(pick.waitNanos(), o.maxRetryAfter.toNanos()));
        continue;
      }
      synchronized (this) {
        if (stop == StopReason.ALL_KEYS_DEAD) {
          return Outcome.REFUSED;
        }
        if (!first) {
          retries++;
        }
      }
      first = false;
      String key = pick.key();
      HttpRequest.Builder b = HttpRequest.newBuilder(OpenAiWire.endpoint(api, OpenAiWire.CHAT))
          .timeout(o.requestTimeout)
          .header("Authorization", "Bearer " + key)
          .header("Content-Type", "application/json")
          .header("User-Agent", o.userAgent)
          .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      forwardedFor(b);
      int status;
      HttpResponse<String> resp = null;
      try {
        resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        status = resp.statusCode();
      } catch (IOException e) {
        status = 0;
      }
      count(status);
      if (status == 200) {
        OpenAiWire.Answer a = OpenAiWire.parse(200, resp.headers().firstValue("Content-Type").orElse(null),
            resp.body(), false);
        if (a.text() != null && !a.text().isEmpty() && a.errorCode() == null) {
          write(prompt, a.text(), a.completionTokens());
          return Outcome.SERVED;
        }
        status = 502; // an empty or unreadable answer: try again like a server error
      }
      if (status == 401 || status == 403) {
        if (ring.kill(key)) {
          synchronized (this) {
            deadKeys++;
          }
        }
        continue;
      }
      if (status == 429) {
        limited++;
        long ra = OpenAiWire.retryAfterSeconds(resp.headers(), Instant.now());
        long rest = ra > 0 ? Duration.ofSeconds(ra).toNanos() : backoffNanos(limited);
        ring.coolDown(key, o.clock.nanoTime() + Math.min(rest, o.maxRetryAfter.toNanos()));
        if (limited >= o.max429) {
          return Outcome.REFUSED;
        }
        continue;
      }
      if (status == 0 || status >= 500 || status == 408) {
        attempts++;
        if (attempts >= o.maxAttempts) {
          return Outcome.FAILED;
        }
        o.clock.sleep(backoffNanos(attempts));
        continue;
      }
      return Outcome.REJECTED;
    }
  }

  private void forwardedFor(HttpRequest.Builder b) {
    if (!o.forwardedFor.isEmpty()) {
      String ip;
      synchronized (xffRng) {
        ip = o.forwardedFor.get(xffRng.nextInt(o.forwardedFor.size())).random(xffRng);
      }
      b.header("X-Forwarded-For", ip);
    }
  }

  /** Exponential backoff with jitter: base·2^(n-1), capped, ±20%. */
  private long backoffNanos(int n) {
    double base = o.backoff.toNanos() * Math.pow(2, Math.min(30, n - 1));
    double capped = Math.min(base, o.maxBackoff.toNanos());
    return (long) (capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
  }

  private synchronized void count(int status) {
    byStatus.merge(status, 1L, Long::sum);
  }

  private void write(String prompt, String response, int tokens) {
    ObjectNode line = OpenAiWire.JSON.createObjectNode();
    var msgs = line.putArray("messages");
    msgs.addObject().put("role", "user").put("content", prompt);
    msgs.addObject().put("role", "assistant").put("content", response);
    byte[] bytes;
    try {
      bytes = (OpenAiWire.JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    synchronized (this) {
      try {
        sink.write(bytes);
        sink.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + o.out + ": " + e.getMessage(), e);
      }
      served++;
      completionTokens += tokens;
    }
    if (o.listener != null) {
      o.listener.accept(new Pair(prompt, response, tokens));
    }
  }

  private String discoverModel() {
    KeyRing.Pick pick = ring.pick(o.clock.nanoTime());
    String key = pick.key() == null ? "" : pick.key();
    HttpRequest.Builder rb = HttpRequest.newBuilder(OpenAiWire.endpoint(api, "/v1/models"))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + key).header("User-Agent", o.userAgent)
        .GET();
    forwardedFor(rb);
    HttpRequest r = rb.build();
    try {
      HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      JsonNode n = OpenAiWire.tree(resp.body());
      String id = n == null ? null : n.path("data").path(0).path("id").asText(null);
      if (resp.statusCode() == 200 && id != null && !id.isBlank()) {
        return id;
      }
      throw new IllegalStateException("the endpoint at " + api + " lists no model (GET /v1/models answered "
          + resp.statusCode() + "); pass --model");
    } catch (IOException e) {
      throw new IllegalStateException("cannot reach " + api + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); check --target", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Opens for appending; starts on a fresh line when an earlier run was cut in the middle of one. */
  private static OutputStream openAppend(Path p) throws IOException {
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean needsNewline = false;
    if (Files.isRegularFile(p) && Files.size(p) > 0) {
      try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
        ByteBuffer last = ByteBuffer.allocate(1);
        ch.read(last, ch.size() - 1);
        needsNewline = last.get(0) != '\n';
      }
    }
    OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE);
    if (needsNewline) {
      out.write('\n');
    }
    return out;
  }

  /** The user prompts of the pairs an earlier run wrote (lines that do not parse are ignored). */
  static Set<String> alreadyHarvested(Path p) {
    Set<String> out = new HashSet<>();
    if (!Files.isRegularFile(p)) {
      return out;
    }
    try (InputStream raw = Files.newInputStream(p);
        InputStream in = p.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        var r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        JsonNode n = OpenAiWire.tree(line);
        if (n == null) {
          continue;
        }
        for (JsonNode m : n.path("messages")) {
          if ("user".equals(m.path("role").asText())) {
            out.add(m.path("content").asText());
            break;
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
    }
    return out;
  }
}
