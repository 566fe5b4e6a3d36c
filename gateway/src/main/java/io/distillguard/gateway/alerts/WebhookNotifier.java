package io.distillguard.gateway.alerts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.detect.Reason;
import io.distillguard.core.detect.RiskLevel;
import io.distillguard.core.detect.Verdict;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.pipeline.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends escalations to webhooks as JSON in the shape Slack's incoming webhooks take ({@code text} plus
 * {@code blocks}), with the structured alert beside them under {@code distillguard}.
 *
 * <p>A rule is one webhook and one level reached. When a rule has been quiet, its first escalation is sent at once
 * and opens a cool-down; escalations during the cool-down are folded into one digest sent when it ends (which opens
 * the next), so a campaign of ten thousand accounts is a handful of messages, not ten thousand. Deliveries that fail
 * with a network error, 429 or 5xx are retried with exponential back-off and jitter (a {@code Retry-After} is
 * honoured up to the largest back-off); other answers are final.
 *
 * <p>Explanations and account names quote attacker-controlled traffic: Slack's control characters ({@code & < >})
 * are escaped in the text, so a crafted prompt cannot become a link or a mention.
 */
public final class WebhookNotifier implements Consumer<Verdict>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
  /** Accounts named in a digest; the rest are counted. */
  static final int DIGEST_SAMPLE = 20;
  /** Deliveries waiting (including retries) beyond which new ones are dropped and counted. */
  static final int MAX_IN_FLIGHT = 1_000;

  /** One escalation, automatic or by an analyst; {@code from} is null when not known (linkage raising a member). */
  public record Event(String accountId, RiskLevel from, RiskLevel to, double score, List<Reason> reasons,
      Instant at, String source) {
    public Event {
      reasons = List.copyOf(reasons == null ? List.of() : reasons);
    }
  }

  private final List<Target> targets = new ArrayList<>();
  private final String dashboardUrl;
  private final Clock clock;
  private final HttpClient http;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "webhooks");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Rule> rules = new HashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter sent;
  private final Counter failed;
  private final Counter retried;
  private final Counter folded;
  private final Counter dropped;

  private static final class Target {
    final GatewayConfig.Webhook config;
    final RiskLevel minLevel;

    Target(GatewayConfig.Webhook config) {
      this.config = config;
      this.minLevel = RiskLevel.valueOf(config.minLevel.toUpperCase(Locale.ROOT));
    }
  }

  /** A rule's cool-down and what it has folded since its last message. */
  private static final class Rule {
    final Target target;
    final RiskLevel level;
    Instant quietAfter = Instant.MIN;
    final List<Event> sample = new ArrayList<>();
    long pending;
    ScheduledFuture<?> digest;

    Rule(Target target, RiskLevel level) {
      this.target = target;
      this.level = level;
    }

    String name() {
      return target.config.name + "/" + level.wireName();
    }
  }

  public WebhookNotifier(GatewayConfig.Alerts config, MeterRegistry registry, Clock clock) {
    for (GatewayConfig.Webhook w : config.webhooks) {
      targets.add(new Target(w));
    }
    this.dashboardUrl = config.dashboardUrl;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    sent = Counter.builder("distillguard.alerts.webhook.sent").description("Webhook messages delivered")
        .register(registry);
    failed = Counter.builder("distillguard.alerts.webhook.failed")
        .description("Webhook messages given up on (a final answer or the last retry failed)").register(registry);
    retried = Counter.builder("distillguard.alerts.webhook.retries").description("Webhook delivery retries")
        .register(registry);
    folded = Counter.builder("distillguard.alerts.webhook.folded")
        .description("Escalations folded into a digest by a rule's cool-down").register(registry);
    dropped = Counter.builder("distillguard.alerts.webhook.dropped")
        .description("Webhook messages dropped because too many deliveries were waiting").register(registry);
  }

  /** An automatic escalation from detection. */
  @Override
  public void accept(Verdict v) {
    notify(new Event(v.accountId(), v.previous(), v.level(), v.risk().score(), v.risk().reasons(), v.at(),
        "detection"));
  }

  /** Any escalation; returns at once, delivery happens on the notifier's thread. */
  public void notify(Event e) {
    inFlight.incrementAndGet(); // counted from here, so "nothing in flight" also means "nothing waiting to route"
    try {
      scheduler.execute(() -> {
        try {
          route(e);
        } finally {
          inFlight.decrementAndGet();
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      inFlight.decrementAndGet();
    }
  }

  /** Sends every pending digest now instead of at the end of its cool-down (shutdown and tests). */
  public void flushDigests() {
    try {
      scheduler.submit(() -> {
        for (Rule r : rules.values()) {
          if (r.digest != null) {
            r.digest.cancel(false);
            sendDigest(r);
          }
        }
      }).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("flushing webhook digests did not finish", e);
    }
  }

  private void route(Event e) {
    Instant now = clock.instant();
    for (Target t : targets) {
      if (!e.to().atLeast(t.minLevel)) {
        continue;
      }
      Rule r = rules.computeIfAbsent(t.config.name + "\n" + e.to().name(), k -> new Rule(t, e.to()));
      if (now.isAfter(r.quietAfter) && r.digest == null) {
        r.quietAfter = now.plus(t.config.cooldown);
        deliver(t, single(r, e), 1);
      } else {
        folded.increment();
        r.pending++;
        if (r.sample.size() < DIGEST_SAMPLE) {
          r.sample.add(e);
        }
        if (r.digest == null) {
          long delay = Math.max(0, Duration.between(now, r.quietAfter).toMillis());
          r.digest = scheduler.schedule(() -> sendDigest(r), delay, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private void sendDigest(Rule r) {
    r.digest = null;
    if (r.pending == 0) {
      return;
    }
    ObjectNode body = digest(r);
    r.pending = 0;
    r.sample.clear();
    r.quietAfter = clock.instant().plus(r.target.config.cooldown);
    deliver(r.target, body, 1);
  }

  private ObjectNode single(Rule r, Event e) {
    String link = link(e.accountId());
    StringBuilder text = new StringBuilder();
    String from = e.from() == null ? "" : e.from().wireName() + " -> ";
    text.append("DistillGuard: account ").append(e.accountId()).append(" escalated ").append(from)
        .append(e.to().wireName()).append(String.format(Locale.ROOT, " (score %.2f, %s)",
            e.score(), e.source()));
    StringBuilder md = new StringBuilder();
    md.append("*Account* `").append(slack(e.accountId())).append("` escalated *")
        .append(e.from() == null ? "" : e.from().wireName() + " → ").append(e.to().wireName())
        .append(String.format(Locale.ROOT, "* (score %.2f, %s)", e.score(), slack(e.source())));
    for (int i = 0; i < Math.min(3, e.reasons().size()); i++) {
      Reason reason = e.reasons().get(i);
      md.append("\n• ").append(slack(reason.signal())).append(String.format(Locale.ROOT, " (+%.2f): ",
          reason.contribution())).append(slack(clip(reason.explanation(), 200)));
    }
    if (link != null) {
      md.append("\n<").append(slack(link)).append("|Open in the dashboard>");
    }
    ObjectNode body = envelope(text.toString(), md.toString());
    ObjectNode dg = body.putObject("distillguard");
    dg.put("kind", "escalation");
    dg.put("rule", r.name());
    event(dg, e);
    return body;
  }

  private ObjectNode digest(Rule r) {
    String text = String.format(Locale.ROOT, "DistillGuard: %d more account(s) escalated to %s during the cool-down "
        + "of rule %s", r.pending, r.level.wireName(), r.name());
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "*%d more account(s)* escalated to *%s* "
        + "(rule `%s`, one message per %s)", r.pending, r.level.wireName(), slack(r.name()),
        r.target.config.cooldown.toString().substring(2).toLowerCase(Locale.ROOT)));
    for (Event e : r.sample) {
      md.append("\n• `").append(slack(e.accountId())).append(String.format(Locale.ROOT, "` score %.2f", e.score()));
    }
    if (r.pending > r.sample.size()) {
      md.append("\n… and ").append(r.pending - r.sample.size()).append(" more");
    }
    ObjectNode body = envelope(text, md.toString());
    ObjectNode dg = body.putObject("distillguard");
    dg.put("kind", "digest");
    dg.put("rule", r.name());
    dg.put("level", r.level.wireName());
    dg.put("count", r.pending);
    ArrayNode accounts = dg.putArray("events");
    for (Event e : r.sample) {
      event(accounts.addObject(), e);
    }
    return body;
  }

  private static ObjectNode envelope(String text, String markdown) {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("text", text);
    ArrayNode blocks = body.putArray("blocks");
    blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text",
        clip(markdown, 2900)); // Slack refuses section text over 3000 characters
    return body;
  }

  private void event(ObjectNode n, Event e) {
    n.put("account_id", e.accountId());
    n.put("from", e.from() == null ? null : e.from().wireName());
    n.put("to", e.to().wireName());
    n.put("score", Math.round(e.score() * 1000) / 1000.0);
    n.put("at", e.at().toString());
    n.put("source", e.source());
    ArrayNode reasons = n.putArray("reasons");
    for (Reason r : e.reasons()) {
      reasons.addObject().put("signal", r.signal()).put("value", Math.round(r.value() * 1000) / 1000.0)
          .put("contribution", Math.round(r.contribution() * 1000) / 1000.0).put("explanation", r.explanation());
    }
    String link = link(e.accountId());
    if (link != null) {
      n.put("dashboard_url", link);
    }
  }

  private String link(String accountId) {
    if (dashboardUrl == null || dashboardUrl.isBlank()) {
      return null;
    }
    String base = dashboardUrl.endsWith("/") ? dashboardUrl : dashboardUrl + "/";
    return base + "#/accounts/" + java.net.URLEncoder.encode(accountId, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void deliver(Target t, ObjectNode body, int attempt) {
    if (attempt == 1 && inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      dropped.increment();
      return;
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.config.url)).timeout(t.config.timeout)
        .header("Content-Type", "application/json").header("User-Agent", "DistillGuard-Webhook")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body).getBytes()));
    t.config.headers.forEach(b::header);
    http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((resp, err) -> {
      int status = resp == null ? 0 : resp.statusCode();
      if (err == null && status >= 200 && status < 300) {
        sent.increment();
        inFlight.decrementAndGet();
        return;
      }
      boolean retryable = err != null || status == 429 || status >= 500;
      if (!retryable || attempt >= t.config.maxAttempts) {
        failed.increment();
        inFlight.decrementAndGet();
        LOG.warn("webhook {} gave up after {} attempt(s): {}", t.config.name, attempt,
            err != null ? err.toString() : "HTTP " + status);
        return;
      }
      retried.increment();
      long delay = backoff(t.config, attempt, resp == null ? null
          : resp.headers().firstValue("Retry-After").orElse(null));
      try {
        scheduler.schedule(() -> deliver(t, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException closed) {
        inFlight.decrementAndGet();
      }
    });
  }

  /** Exponential from the initial back-off, capped, with up to 20% jitter so many nodes do not retry in step. */
  static long backoff(GatewayConfig.Webhook c, int attempt, String retryAfter) {
    long max = c.maxBackoff.toMillis();
    if (retryAfter != null) {
      try {
        return Math.min(max, Math.max(0, Long.parseLong(retryAfter.trim())) * 1000);
      } catch (NumberFormatException e) {
        // an HTTP date or garbage: fall back to our own schedule
      }
    }
    long base = c.initialBackoff.toMillis() << Math.min(20, attempt - 1);
    long capped = Math.min(max, base);
    return capped - (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
  }

  /** Escapes the three characters Slack's mrkdwn treats as control characters. */
  static String slack(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String clip(String s, int max) {
    if (s == null) {
      return "";
    }
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /** Escalations not yet routed plus deliveries not yet finished (first attempts and retries). */
  public int inFlight() {
    return inFlight.get();
  }

  @Override
  public void close() {
    flushDigests();
    scheduler.shutdown();
  }
}
