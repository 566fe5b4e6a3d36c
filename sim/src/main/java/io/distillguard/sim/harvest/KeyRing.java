package io.distillguard.sim.harvest;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The harvester's API keys: rotation (round-robin or random), keys cooling down after a 429 until their
 * Retry-After has passed, and dead keys (401/403) dropped for good. Thread-safe.
 */
final class KeyRing {
  private final List<String> keys;
  private final long[] coolUntil;
  private final boolean[] dead;
  private final boolean random;
  private final SplittableRandom rng;
  private int next;
  private int alive;

  /** A pick: a key to use, or how long to wait until one is free, or none left at all. */
  record Pick(String key, long waitNanos, boolean allDead) {}

  KeyRing(List<String> keys, boolean random, long seed) {
    this.keys = new ArrayList<>(keys);
    this.coolUntil = new long[keys.size()];
    this.dead = new boolean[keys.size()];
    this.random = random;
    this.rng = new SplittableRandom(seed);
    this.alive = keys.size();
  }

  synchronized Pick pick(long now) {
    if (alive == 0) {
      return new Pick(null, 0, true);
    }
    int n = keys.size();
    long soonest = Long.MAX_VALUE;
    int start = random ? rng.nextInt(n) : next;
    for (int k = 0; k < n; k++) {
      int i = (start + k) % n;
      if (dead[i]) {
        continue;
      }
      if (coolUntil[i] - now <= 0) {
        next = (i + 1) % n;
        return new Pick(keys.get(i), 0, false);
      }
      soonest = Math.min(soonest, coolUntil[i] - now);
    }
    return new Pick(null, soonest, false);
  }

  /** A 429: the key rests until {@code untilNanos}. */
  synchronized void coolDown(String key, long untilNanos) {
    int i = keys.indexOf(key);
    if (i >= 0 && untilNanos - coolUntil[i] > 0) {
      coolUntil[i] = untilNanos;
    }
  }

  /** A 401/403: the key is dead. Returns true when it was alive until now. */
  synchronized boolean kill(String key) {
    int i = keys.indexOf(key);
    if (i < 0 || dead[i]) {
      return false;
    }
    dead[i] = true;
    alive--;
    return true;
  }

  synchronized int alive() {
    return alive;
  }

  int size() {
    return keys.size();
  }
}
