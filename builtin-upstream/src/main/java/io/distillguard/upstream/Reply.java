package io.distillguard.upstream;

import java.util.List;

/** What an endpoint wants sent back, before faults and pacing are applied by {@link ReplyWriter}. */
sealed interface Reply {

  /** A complete JSON body. */
  record JsonBody(int status, String body) implements Reply {}

  /**
   * A {@code text/event-stream} answer: each event is written as {@code data: <data>\n\n}.
   *
   * @param events in order, the last normally being {@code [DONE]}
   */
  record EventStream(List<Event> events) implements Reply {}

  /**
   * One server-sent event.
   *
   * @param data the event payload (JSON, or {@code [DONE]})
   * @param paced whether the configured token delay is waited before it (content chunks only)
   */
  record Event(String data, boolean paced) {}

  static Reply error(ApiError e) {
    return new JsonBody(e.status(), e.toJson());
  }
}
