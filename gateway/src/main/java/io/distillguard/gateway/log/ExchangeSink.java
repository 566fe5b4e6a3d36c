package io.distillguard.gateway.log;

import io.distillguard.core.Exchange;

/**
 * Where finished exchanges go: the durable exchange log, and later detection and event streams. Called on the event
 * loop before the client receives the end of its answer, so implementations must be fast and must not block on
 * anything but a local append.
 */
public interface ExchangeSink {
  void accept(Exchange exchange);
}
