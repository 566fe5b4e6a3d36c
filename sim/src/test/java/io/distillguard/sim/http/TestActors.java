package io.distillguard.sim.http;

import io.distillguard.core.ChatMessage;
import io.distillguard.core.SamplingParams;
import io.distillguard.sim.Actor;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small hand-made actors for runner tests. */
final class TestActors {
  static final Instant T0 = Instant.parse("2025-03-03T09:00:00Z");

  private TestActors() {}

  static SimAccount account(String id, Label label, String tier) {
    return new SimAccount(id, "Test " + id, Map.of("tier", tier, "country", "DE", "email_domain", "example.com"),
        label, T0);
  }

  /**
   * Sends {@code total} requests, one every {@code every}, from a list of accounts: starts with the first and moves
   * to the next when the current one is refused with 401/403 (a campaign opening a new account); stops when none is
   * left. A 429 pushes the next request back by its Retry-After.
   */
  static final class Operator implements Actor {
    final List<SimAccount> accounts;
    final int total;
    final Duration every;
    final String ip;
    final boolean stream;
    final boolean attack;
    final String endpoint;
    int current;
    int sent;
    Instant nextTime;
    final List<SimRequest> requests = new ArrayList<>();
    final List<SimResult> results = new ArrayList<>();

    Operator(List<SimAccount> accounts, int total, Instant start, Duration every, String ip, boolean stream,
        boolean attack, String endpoint) {
      this.accounts = accounts;
      this.total = total;
      this.every = every;
      this.ip = ip;
      this.stream = stream;
      this.attack = attack;
      this.endpoint = endpoint;
      this.nextTime = start;
    }

    @Override
    public Instant peek() {
      return sent < total && current < accounts.size() ? nextTime : null;
    }

    @Override
    public SimRequest next() {
      SimAccount a = accounts.get(current);
      SimRequest r = new SimRequest(a, nextTime, ip, "test-client/1.0 (" + a.id() + ")", endpoint,
          "builtin-small", List.of(new ChatMessage("user", "Question " + sent + " from " + a.id()
              + ": explain step by step why the sky is blue.")),
          new SamplingParams(0.7, null, null, 64, null, null, null, 0), stream, 50, attack);
      requests.add(r);
      sent++;
      nextTime = nextTime.plus(every);
      return r;
    }

    @Override
    public void onResult(SimRequest request, SimResult result) {
      results.add(result);
      if ((result.status() == 401 || result.status() == 403) && request.account() == accounts.get(current)) {
        current++;
      } else if (result.status() == 429 && result.retryAfterSeconds() > 0) {
        Instant after = request.time().plusSeconds(result.retryAfterSeconds());
        if (after.isAfter(nextTime)) {
          nextTime = after;
        }
      }
    }
  }
}
