package io.distillguard.sim.population;

import io.distillguard.sim.SimAccount;
import io.distillguard.sim.SimRequest;
import io.distillguard.sim.SimResult;
import java.util.SplittableRandom;

/**
 * One account that sends requests on its own schedule and reacts as an SDK does: on 429 (and 5xx) it waits for
 * {@code Retry-After} (or an exponential back-off) and retries the same request a few times; on 401/403 the account
 * is dead and sends nothing more.
 */
public abstract class SingleAccountActor extends TimedActor {
  protected final SimContext ctx;
  protected final SimAccount account;
  protected final SplittableRandom rng;
  /** Time of the next fresh request ({@link #NONE} when the schedule is over). */
  protected long nextAt = NONE;
  protected boolean dead;
  private SimRequest retry;
  private long retryAt;
  private int retries;

  protected SingleAccountActor(SimContext ctx, SimAccount account, SplittableRandom rng) {
    this.ctx = ctx;
    this.account = account;
    this.rng = rng;
  }

  public SimAccount account() {
    return account;
  }

  public boolean dead() {
    return dead;
  }

  @Override
  public long peekMillis() {
    if (dead) {
      return NONE;
    }
    long t = retry != null ? retryAt : nextAt;
    return t >= ctx.endMillis() ? NONE : t;
  }

  @Override
  public final SimRequest next() {
    if (retry != null) {
      SimRequest r = SimContext.retry(retry, retryAt);
      SimRequest original = retry;
      retry = null;
      retried(original, r);
      return r;
    }
    return produce(nextAt);
  }

  /** Builds the fresh request due at {@code t} and moves {@link #nextAt} on. */
  protected abstract SimRequest produce(long t);

  /** A retry of {@code original} went out as {@code copy}. */
  protected void retried(SimRequest original, SimRequest copy) {}

  /** A request was served. */
  protected void served(SimRequest request, SimResult result) {}

  /** A request failed for good (retries exhausted or not retryable). */
  protected void gaveUp(SimRequest request, SimResult result) {}

  /** How many times one request is retried after 429/5xx (the OpenAI SDKs retry twice). */
  protected int maxRetries() {
    return 2;
  }

  /** Called when backing off; by default the whole schedule waits. */
  protected void backOff(long until) {
    if (nextAt != NONE && nextAt < until) {
      nextAt = until;
    }
  }

  @Override
  public void onResult(SimRequest request, SimResult result) {
    if (dead) {
      return;
    }
    int s = result.status();
    if (s == 200) {
      retries = 0;
      served(request, result);
    } else if (s == 401 || s == 403) {
      dead = true;
      retry = null;
    } else if (s == 429 || s >= 500 || s == 408) {
      if (retries < maxRetries()) {
        retries++;
        long wait = result.retryAfterSeconds() > 0 ? result.retryAfterSeconds() * 1000L
            : (long) (500 * Math.pow(2, retries)) + rng.nextInt(250);
        long at = Math.max(ctx.now(), request.time().toEpochMilli() + wait);
        retry = request;
        retryAt = at;
        backOff(at + 1);
      } else {
        retries = 0;
        retry = null;
        if (result.retryAfterSeconds() > 0) {
          backOff(Math.max(ctx.now(), request.time().toEpochMilli() + result.retryAfterSeconds() * 1000L));
        }
        gaveUp(request, result);
      }
    } else {
      gaveUp(request, result);
    }
  }
}
