package io.distillguard.gateway.kafka;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillguard.core.wire.VerdictEvent;
import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.gateway.config.KafkaConfig;
import io.distillguard.gateway.enforcement.EnforcementCache;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway node's Kafka side, as its configuration asks: the {@link KafkaExchangeSink} when
 * {@code exchange-log.sink} is {@code kafka} or {@code both}, the {@link VerdictFeed} and the {@link TiesFeed} (unless
 * {@code kafka.ties-topic} is {@code none}) when {@code detection.mode} is {@code remote}. Any may be absent.
 */
public final class KafkaNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaNode.class);

  private final KafkaExchangeSink sink;
  private final VerdictFeed feed;
  private final VerdictPublisher overrides;
  private final TiesFeed ties;

  private KafkaNode(KafkaExchangeSink sink, VerdictFeed feed, VerdictPublisher overrides, TiesFeed ties) {
    this.sink = sink;
    this.feed = feed;
    this.overrides = overrides;
    this.ties = ties;
  }

  /** True when the configuration needs Kafka at all. */
  public static boolean wanted(GatewayConfig config) {
    return !"store".equals(config.exchangeLog.sink) || remoteDetection(config);
  }

  /** True when verdicts come from the verdict topic and this node runs no detection of its own. */
  public static boolean remoteDetection(GatewayConfig config) {
    return "remote".equals(config.detection.mode);
  }

  /**
   * Opens what the configuration asks for; with a verdict feed, waits (up to {@code kafka.verdicts-startup-wait})
   * until it has read the verdict topic to its end, so the node does not serve a blocked account before it knows.
   *
   * @return null when the configuration needs no Kafka
   */
  public static KafkaNode open(GatewayConfig config, EnforcementCache enforcement, MeterRegistry registry) {
    if (!wanted(config)) {
      return null;
    }
    KafkaConfig k = config.kafka;
    KafkaExchangeSink sink = null;
    VerdictFeed feed = null;
    VerdictPublisher overrides = null;
    TiesFeed ties = null;
    try {
      if (!"store".equals(config.exchangeLog.sink)) {
        Path spill = k.spillDir != null ? Path.of(k.spillDir) : Path.of(config.dataDir).resolve("kafka-spill");
        sink = new KafkaExchangeSink(new KafkaExchangeSink.Options(k.bootstrapServers, k.exchangesTopic, spill,
            k.redactText, k.compression, k.bufferBytes, k.maxBlock, k.deliveryTimeout, k.requestTimeout, k.linger,
            k.spillSegmentBytes, k.spillFsync, k.properties)).bindMetrics(registry);
      }
      if (remoteDetection(config)) {
        feed = new VerdictFeed(k.bootstrapServers, k.verdictsTopic, enforcement, k.properties)
            .bindMetrics(registry);
        if (!KafkaConfig.NONE.equals(k.tiesTopic)) {
          ties = new TiesFeed(k.bootstrapServers, k.tiesTopic, k.properties).bindMetrics(registry);
          feed.addListener(ties::onVerdict);
          ties.start();
        }
        feed.start();
        overrides = new VerdictPublisher(k.bootstrapServers, k.verdictsTopic, k.properties);
        publishOverrides(enforcement, feed, overrides);
        long deadline = System.nanoTime() + k.verdictsStartupWait.toNanos();
        if (!feed.awaitCaughtUp(k.verdictsStartupWait)) {
          LOG.warn("the verdict topic {} was not read to its end within {} ({}); starting anyway: verdicts apply as "
              + "they arrive", k.verdictsTopic, k.verdictsStartupWait,
              feed.lastError() == null ? "still reading" : feed.lastError());
        }
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        if (ties != null && !ties.awaitCaughtUp(left)) {
          LOG.warn("the ties topic {} was not read to its end within {} ({}); starting anyway: new accounts are "
              + "checked once a snapshot arrives", k.tiesTopic, k.verdictsStartupWait,
              ties.lastError() == null ? "still reading" : ties.lastError());
        }
      }
    } catch (RuntimeException e) {
      if (ties != null) {
        ties.close();
      }
      if (overrides != null) {
        overrides.close();
      }
      if (feed != null) {
        feed.close();
      }
      if (sink != null) {
        sink.close();
      }
      throw e;
    }
    return new KafkaNode(sink, feed, overrides, ties);
  }

  /**
   * In remote mode an analyst's status change on this node goes to the verdict topic too, versioned after the last
   * verdict this node applied for the account, so every node (and this one, through its feed) enforces it and an
   * older detection verdict cannot undo it.
   */
  private static void publishOverrides(EnforcementCache enforcement, VerdictFeed feed, VerdictPublisher publisher) {
    enforcement.onOverride((accountId, status) -> {
      Instant now = Instant.now();
      VerdictEvent v = new VerdictEvent(accountId, null, status, null, null, 0, List.of(), now,
          VerdictEvent.Source.ANALYST, VerdictEvent.nextVersion(feed.versionOf(accountId), now), null);
      publisher.publish(v).whenComplete((md, ex) -> {
        if (ex != null) {
          LOG.error("publishing the analyst's status for account {} to the verdict topic failed; other nodes do "
              + "not enforce it", accountId, ex);
        }
      });
    });
  }

  /** The exchange sink, or null when exchanges do not go to Kafka. */
  public KafkaExchangeSink sink() {
    return sink;
  }

  /** The verdict feed, or null when detection is local. */
  public VerdictFeed feed() {
    return feed;
  }

  /** The cluster-ties feed, or null when detection is local or the ties topic is {@code none}. */
  public TiesFeed ties() {
    return ties;
  }

  /** The state of each, for the admin API's health answer. */
  public ObjectNode health() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (sink != null) {
      ObjectNode s = n.putObject("exchange_sink");
      s.put("topic", sink.topic());
      s.put("state", sink.state().wireName());
      s.put("spill_backlog", sink.backlog());
      s.put("published", sink.published());
      s.put("spilled", sink.spilled());
      s.put("replayed", sink.replayed());
      s.put("failed", sink.failed());
      s.put("rejected", sink.rejected());
      s.put("dropped", sink.dropped());
      s.put("last_error", sink.lastError());
    }
    if (feed != null) {
      ObjectNode f = n.putObject("verdict_feed");
      f.put("topic", feed.topic());
      f.put("caught_up", feed.caughtUp());
      f.put("applied", feed.applied());
      f.put("stale", feed.stale());
      f.put("malformed", feed.malformed());
      f.put("last_error", feed.lastError());
    }
    if (ties != null) {
      ObjectNode t = n.putObject("ties_feed");
      t.put("topic", ties.topic());
      t.put("caught_up", ties.caughtUp());
      t.put("applied", ties.applied());
      t.put("malformed", ties.malformed());
      t.put("tying_keys", ties.ties().size());
      long at = ties.snapshot().builtAtMillis();
      if (at == Long.MIN_VALUE) {
        t.putNull("built_at");
      } else {
        t.put("built_at", Instant.ofEpochMilli(at).toString());
      }
      t.put("last_error", ties.lastError());
    }
    return n;
  }

  /** True when everything works as it should: exchanges reach Kafka directly and the verdicts are read. */
  public boolean healthy() {
    return (sink == null || sink.state() == KafkaExchangeSink.State.PUBLISHING)
        && (feed == null || (feed.caughtUp() && feed.lastError() == null))
        && (ties == null || (ties.caughtUp() && ties.lastError() == null));
  }

  @Override
  public void close() {
    if (ties != null) {
      ties.close();
    }
    if (overrides != null) {
      overrides.close();
    }
    if (feed != null) {
      feed.close();
    }
    if (sink != null) {
      sink.close();
    }
  }
}
