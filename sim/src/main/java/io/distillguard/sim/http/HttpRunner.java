package io.distillguard.sim.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import io.distillguard.sim.Simulation;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs simulated traffic against a running gateway over real HTTP.
 *
 * <p>Each account is created through {@code POST /admin/v1/accounts} (id, name, attributes; never its label) and
 * given a key ({@code POST /admin/v1/accounts/{id}/keys}) just before its first request. Requests go to the data
 * plane with {@code Authorization: Bearer <key>}, {@code X-Forwarded-For: <client ip>}, the client's
 * {@code User-Agent}, and in replay mode {@code X-DistillGuard-Event-Time: <simulated time>}; streams are read to
 * their end. Up to {@code concurrency} requests are in flight at once. Every answer is handed back to the source as a
 * {@link SimResult}, so actors react as real clients do (a blocked account stops, a throttled one slows down, a
 * campaign opens new accounts).
 *
 * <p>Pacing: in replay mode requests go as fast as the window allows (the event times carry the timing); otherwise,
 * with a speed factor, request {@code i} is sent when {@code (time_i - time_0) / speed} of wall time has passed.
 *
 * <p>The source is called from the thread that calls {@link #run} only. An unreachable gateway, a rejected admin
 * token or a refused account creation stops the run with an {@link AdminException}; a gateway that stops answering
 * mid-run stops it with {@link RunSummary#stopReason()} set.
 */
public final class HttpRunner {
  /** Number of keys an account gets when it carries this attribute (1-16); otherwise {@link Options#keysPerAccount}. */
  public static final String KEYS_ATTRIBUTE = "keys";
  public static final String EVENT_TIME_HEADER = "X-DistillGuard-Event-Time";
  public static final String DEFAULT_USER_AGENT = "distillguard-sim/0.1";

  /** How to run. */
  public static final class Options {
    String target;
    final List<String> moreTargets = new ArrayList<>();
    String admin;
    String adminToken;
    boolean replayHeaders;
    int concurrency = 32;
    double speed;
    int keysPerAccount = 1;
    Duration requestTimeout = Duration.ofMinutes(2);
    Path out;
    Consumer<RequestRecord> listener;
    Consumer<RunSummary> progress;
    Duration progressEvery = Duration.ofSeconds(5);
    int maxConsecutiveFailures = 100;
    HttpClient http;

    /** The gateway's data plane, e.g. {@code http://127.0.0.1:8080} (with or without {@code /v1}). */
    public Options target(String url) {
      this.target = url;
      return this;
    }

    /**
     * Another gateway node's data plane: requests go round-robin over {@link #target} and these, as behind a load
     * balancer, and a request a node refuses to connect (it is down) goes to the next node once.
     */
    public Options alsoTarget(String url) {
      this.moreTargets.add(url);
      return this;
    }

    /** The gateway's admin API, e.g. {@code http://127.0.0.1:8081}. */
    public Options admin(String url) {
      this.admin = url;
      return this;
    }

    public Options adminToken(String token) {
      this.adminToken = token;
      return this;
    }

    /** Send {@code X-DistillGuard-Event-Time} (the gateway must run with {@code --replay}). */
    public Options replayHeaders(boolean on) {
      this.replayHeaders = on;
      return this;
    }

    /** Requests in flight at most (default 32). */
    public Options concurrency(int n) {
      if (n < 1 || n > 4096) {
        throw new IllegalArgumentException("concurrency must be 1 to 4096, got " + n);
      }
      this.concurrency = n;
      return this;
    }

    /**
     * Real-time pacing: simulated seconds per wall-clock second (e.g. 60 plays an hour in a minute); 0 (the
     * default) sends as fast as the window allows. Ignored with replay headers, where event times carry the timing.
     */
    public Options speed(double factor) {
      if (!(factor >= 0) || Double.isInfinite(factor)) {
        throw new IllegalArgumentException("speed must be a positive factor (or 0 for no pacing), got " + factor);
      }
      this.speed = factor;
      return this;
    }

    /** Keys per account, used in rotation (default 1); an account's {@code keys} attribute overrides it. */
    public Options keysPerAccount(int n) {
      if (n < 1 || n > 16) {
        throw new IllegalArgumentException("keys per account must be 1 to 16, got " + n);
      }
      this.keysPerAccount = n;
      return this;
    }

    public Options requestTimeout(Duration d) {
      this.requestTimeout = Objects.requireNonNull(d);
      return this;
    }

    /** Write one JSON line per request (see {@link RequestRecord#toJson()}). */
    public Options out(Path file) {
      this.out = file;
      return this;
    }

    /** Called on the running thread for every request, in the order answers arrive. */
    public Options listener(Consumer<RequestRecord> l) {
      this.listener = l;
      return this;
    }

    /** Called on the running thread with the totals so far, every {@code every} of wall time. */
    public Options progress(Consumer<RunSummary> p, Duration every) {
      this.progress = p;
      this.progressEvery = every;
      return this;
    }

    /** Stop when this many requests in a row got no answer at all (default 100). */
    public Options maxConsecutiveFailures(int n) {
      this.maxConsecutiveFailures = Math.max(1, n);
      return this;
    }

    /** Use this HTTP client (default: a new HTTP/1.1 client). */
    public Options http(HttpClient client) {
      this.http = client;
      return this;
    }
  }

  private record Keys(List<String> keys, AtomicInteger next, boolean created) {
    String pick() {
      return keys.get(Math.floorMod(next.getAndIncrement(), keys.size()));
    }
  }

  private record Done(SimRequest request, String account, HttpResponse<String> response, Throwable failure,
      boolean newAccount, long nanos, RuntimeException fatal) {}

  private final Options o;
  private final HttpClient http;
  private final String api;
  /** Every data plane requests go to: {@link #api} first. */
  private final List<String> apis = new ArrayList<>();
  private final AtomicInteger nextApi = new AtomicInteger();
  private final AdminClient admin;
  private final Map<String, CompletableFuture<Keys>> keys = new HashMap<>();
  private final Map<String, SimAccount> accounts = new LinkedHashMap<>();
  private RunSummary summary;

  /**
   * @throws IllegalArgumentException when a URL or the admin token is missing or malformed
   */
  public HttpRunner(Options options) {
    this.o = options;
    this.api = OpenAiWire.apiBase(options.target, "--target");
    apis.add(api);
    for (String t : options.moreTargets) {
      apis.add(OpenAiWire.apiBase(t, "--also-target"));
    }
    this.http = options.http != null ? options.http : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.admin = new AdminClient(http, options.admin, options.adminToken);
  }

  /** The admin client this runner uses (same URL and token). */
  public AdminClient admin() {
    return admin;
  }

  /** Every account the run sent requests for, by id, in order of first request. */
  public Map<String, SimAccount> accounts() {
    return Collections.unmodifiableMap(accounts);
  }

  /** The totals of the last run, or null before one. */
  public RunSummary summary() {
    return summary;
  }

  /**
   * Checks both addresses before a run: the admin API answers and takes the token, the data plane answers HTTP.
   *
   * @throws AdminException saying which of the two is wrong
   */
  public void preflight() {
    admin.check();
    HttpRequest probe = HttpRequest.newBuilder(OpenAiWire.endpoint(api, "/v1/models"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    try {
      http.send(probe, HttpResponse.BodyHandlers.discarding());
    } catch (ConnectException e) {
      throw new AdminException("cannot reach the gateway's data plane at " + api + " (connection refused); is "
          + "--target its address?", e);
    } catch (IOException e) {
      throw new AdminException("cannot reach the gateway's data plane at " + api + ": "
          + AdminClient.describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException("interrupted", e);
    }
  }

  /** Runs a simulation to its end; see {@link #run(TrafficSource)}. */
  public RunSummary run(Simulation simulation) {
    return run(TrafficSource.of(simulation));
  }

  /**
   * Runs the source to its end (or until the gateway stops answering).
   *
   * @throws AdminException when the gateway cannot be reached, the admin token is rejected or an account cannot be
   *                        created
   */
  public RunSummary run(TrafficSource source) {
    preflight();
    summary = new RunSummary();
    BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    long wallStart = System.nanoTime();
    long nextProgress = wallStart + o.progressEvery.toNanos();
    boolean pace = o.speed > 0 && !o.replayHeaders;
    Instant simStart = null;
    int inFlight = 0;
    RuntimeException fatal = null;
    SimRequest pending = null;
    try (BufferedWriter out = o.out == null ? null : open(o.out)) {
      Handler handler = new Handler(source, out);
      while (true) {
        Done d;
        while ((d = done.poll()) != null) {
          inFlight--;
          fatal = handler.handle(d, fatal);
        }
        if (fatal != null || handler.stop != null) {
          break;
        }
        if (Thread.currentThread().isInterrupted()) {
          summary.stopReason = "interrupted";
          break;
        }
        if (o.progress != null && System.nanoTime() >= nextProgress) {
          summary.wall = Duration.ofNanos(System.nanoTime() - wallStart);
          o.progress.accept(summary);
          nextProgress = System.nanoTime() + o.progressEvery.toNanos();
        }
        if (inFlight >= o.concurrency) {
          // Ask the source only when a request can go out, so actors hear back as early as possible.
          inFlight--;
          fatal = handler.handle(take(done), fatal);
          continue;
        }
        if (pending == null) {
          pending = source.next();
        }
        if (pending == null) {
          if (inFlight == 0) {
            break;
          }
          inFlight--;
          fatal = handler.handle(take(done), fatal);
          continue;
        }
        if (pace) {
          if (simStart == null) {
            simStart = pending.time();
          }
          long dueNanos = wallStart + (long) (Duration.between(simStart, pending.time()).toNanos() / o.speed);
          long wait = dueNanos - System.nanoTime();
          if (wait > 0) {
            d = done.poll(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS);
            if (d != null) {
              inFlight--;
              fatal = handler.handle(d, fatal);
            }
            continue;
          }
        }
        send(pending, done);
        inFlight++;
        pending = null;
      }
      while (inFlight > 0) {
        inFlight--;
        fatal = handler.handle(take(done), fatal);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + o.out + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      summary.stopReason = "interrupted";
    }
    summary.wall = Duration.ofNanos(System.nanoTime() - wallStart);
    if (fatal != null) {
      throw fatal;
    }
    return summary;
  }

  /** Handles answers on the running thread: records them and reports them to the source. */
  private final class Handler {
    final TrafficSource source;
    final BufferedWriter out;
    long seq;
    int consecutiveFailures;
    String stop;

    Handler(TrafficSource source, BufferedWriter out) {
      this.source = source;
      this.out = out;
    }

    RuntimeException handle(Done d, RuntimeException fatal) throws IOException {
      if (d.fatal != null) {
        return fatal != null ? fatal : d.fatal;
      }
      SimRequest r = d.request;
      SimResult result;
      int status;
      long retryAfter = 0;
      String error;
      boolean served;
      OpenAiWire.Answer a = null;
      if (d.failure != null) {
        status = 0;
        boolean timeout = isTimeout(d.failure);
        error = (timeout ? "timeout: " : "no answer: ") + AdminClient.describe(root(d.failure));
        result = new SimResult(timeout ? 504 : 502, 0, null, 0, 0);
        served = false;
        consecutiveFailures++;
        if (consecutiveFailures >= o.maxConsecutiveFailures && stop == null) {
          stop = "the gateway at " + api + " stopped answering (" + consecutiveFailures + " requests in a row "
              + "without an answer; last: " + error + ")";
          summary.stopReason = stop;
        }
      } else {
        consecutiveFailures = 0;
        HttpResponse<String> resp = d.response;
        status = resp.statusCode();
        retryAfter = OpenAiWire.retryAfterSeconds(resp.headers(), Instant.now());
        a = OpenAiWire.parse(status, resp.headers().firstValue("Content-Type").orElse(null), resp.body(),
            r.stream());
        served = status == 200 && a.errorCode() == null;
        error = served ? null : a.errorCode() != null ? a.errorCode() : "http_" + status;
        // A stream that broke after it started delivered only part of an answer: to the client that is a failure.
        int reported = status == 200 && a.streamError() ? 502 : status;
        result = new SimResult(reported, retryAfter, served ? a.text() : null, a.promptTokens(),
            a.completionTokens());
      }
      RequestRecord rec = new RequestRecord(++seq, r.time(), d.account, r.account().label(), r.attack(),
          r.clientIp(), r.endpoint(), r.model(), r.stream(), status, retryAfter, served,
          a == null ? 0 : a.promptTokens(), a == null ? 0 : a.completionTokens(),
          a == null || a.text() == null ? 0 : a.text().length(), error, TimeUnit.NANOSECONDS.toMillis(d.nanos),
          d.response == null ? null : d.response.headers().firstValue("x-request-id").orElse(null));
      summary.add(rec, d.newAccount);
      if (out != null) {
        out.write(OpenAiWire.JSON.writeValueAsString(rec.toJson()));
        out.write('\n');
      }
      if (o.listener != null) {
        o.listener.accept(rec);
      }
      source.report(r, result);
      return fatal;
    }
  }

  private void send(SimRequest r, BlockingQueue<Done> done) {
    SimAccount acct = r.account();
    String id = acct.id();
    boolean first = !keys.containsKey(id);
    if (first) {
      accounts.put(id, acct);
    }
    CompletableFuture<Keys> k = keys.computeIfAbsent(id, x -> createAccount(acct));
    long start = System.nanoTime();
    int node = apis.size() == 1 ? 0 : Math.floorMod(nextApi.getAndIncrement(), apis.size());
    k.thenCompose(keyRing -> {
          String key = keyRing.pick();
          CompletableFuture<HttpResponse<String>> f = http.sendAsync(request(r, key, apis.get(node)),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
          if (apis.size() == 1) {
            return f;
          }
          // A node that refuses connections is down: the next one takes the request, as a load balancer would.
          return f.handle((resp, ex) -> {
            if (ex != null && root(ex) instanceof ConnectException) {
              return http.sendAsync(request(r, key, apis.get((node + 1) % apis.size())),
                  HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            }
            return ex == null ? CompletableFuture.completedFuture(resp)
                : CompletableFuture.<HttpResponse<String>>failedFuture(ex);
          })
              .thenCompose(x -> x);
        })
        .whenComplete((resp, ex) -> {
          long nanos = System.nanoTime() - start;
          if (ex != null) {
            Throwable c = root(ex);
            if (c instanceof AdminException ae) {
              done.add(new Done(r, id, null, null, first, nanos, ae));
              return;
            }
            done.add(new Done(r, id, null, c, first, nanos, null));
          } else {
            done.add(new Done(r, id, resp, null, first, nanos, null));
          }
        });
  }

  private CompletableFuture<Keys> createAccount(SimAccount a) {
    int n = o.keysPerAccount;
    String wanted = a.attributes().get(KEYS_ATTRIBUTE);
    if (wanted != null) {
      try {
        n = Math.max(1, Math.min(16, Integer.parseInt(wanted.trim())));
      } catch (NumberFormatException e) {
        // not a count: keep the default
      }
    }
    int count = n;
    return admin.createAccountAsync(a).thenCompose(created -> {
      synchronized (summary) {
        if (created) {
          summary.accountsCreated++;
        } else {
          summary.accountsExisting++;
        }
      }
      List<CompletableFuture<String>> fs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        fs.add(admin.createKeyAsync(a.id()));
      }
      return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).thenApply(v -> {
        List<String> ks = new ArrayList<>();
        for (CompletableFuture<String> f : fs) {
          ks.add(f.join());
        }
        return new Keys(List.copyOf(ks), new AtomicInteger(), created);
      });
    });
  }

  private HttpRequest request(SimRequest r, String key, String base) {
    HttpRequest.Builder b = HttpRequest.newBuilder(OpenAiWire.endpoint(base, r.endpoint()))
        .timeout(o.requestTimeout)
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .header("Accept", r.stream() ? "text/event-stream" : "application/json")
        .header("User-Agent", r.userAgent() == null || r.userAgent().isBlank() ? DEFAULT_USER_AGENT : r.userAgent())
        .POST(HttpRequest.BodyPublishers.ofByteArray(OpenAiWire.body(r)));
    if (r.clientIp() != null && !r.clientIp().isBlank()) {
      b.header("X-Forwarded-For", r.clientIp());
    }
    if (o.replayHeaders) {
      b.header(EVENT_TIME_HEADER, r.time().toString());
    }
    return b.build();
  }

  /**
   * Reads back every account's status ({@code GET /admin/v1/accounts/{id}}) and counts, per label class, how many
   * ended at each status; the counts also go into {@link #summary()}.
   */
  public Map<Label.Kind, Map<String, Integer>> readBackStatuses() {
    Map<Label.Kind, Map<String, Integer>> out = new EnumMap<>(Label.Kind.class);
    List<SimAccount> all = new ArrayList<>(accounts.values());
    int window = Math.max(1, o.concurrency);
    for (int from = 0; from < all.size(); from += window) {
      List<SimAccount> batch = all.subList(from, Math.min(all.size(), from + window));
      List<CompletableFuture<JsonNode>> fs = new ArrayList<>();
      for (SimAccount a : batch) {
        fs.add(admin.accountAsync(a.id()));
      }
      for (int i = 0; i < batch.size(); i++) {
        JsonNode n;
        try {
          n = fs.get(i).join();
        } catch (CompletionException e) {
          throw AdminClient.unwrap(e);
        }
        String status = n.path("status").asText("unknown");
        out.computeIfAbsent(batch.get(i).label().kind(), k -> new TreeMap<>()).merge(status, 1, Integer::sum);
      }
    }
    if (summary != null) {
      summary.finalStatuses.clear();
      summary.finalStatuses.putAll(out);
    }
    return out;
  }

  private static BufferedWriter open(Path p) throws IOException {
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
  }

  private static Done take(BlockingQueue<Done> q) throws InterruptedException {
    return q.take();
  }

  private static Throwable root(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  private static boolean isTimeout(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof HttpTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
