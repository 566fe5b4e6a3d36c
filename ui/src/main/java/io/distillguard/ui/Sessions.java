package io.distillguard.ui;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Dashboard sessions, in memory: a random id in an {@code HttpOnly; SameSite=Strict} cookie, and per session a CSRF
 * token the page sends back in a header on every state-changing call. Only a hash of each id is kept, so a heap dump
 * does not hand out live sessions. Sessions end after {@link #IDLE} without use or {@link #ABSOLUTE} in all, and at
 * most {@link #MAX} live at once (the oldest goes first).
 *
 * <p>Failed logins are counted per client address; past {@link #MAX_FAILURES} within {@link #FAILURE_WINDOW} that
 * address is refused until the window passes, which makes guessing the admin token through the form pointless.
 */
final class Sessions {
  static final Duration IDLE = Duration.ofMinutes(30);
  static final Duration ABSOLUTE = Duration.ofHours(12);
  static final int MAX = 1_000;
  static final int MAX_FAILURES = 10;
  static final Duration FAILURE_WINDOW = Duration.ofMinutes(5);

  /** One analyst's session; {@code actor} is what the audit log names. */
  record Session(String idHash, String actor, String csrf, Instant created, Instant lastSeen) {}

  private record Failures(int count, Instant since) {}

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();

  Sessions(Clock clock) {
    this.clock = clock;
  }

  /** Starts a session; returns its id (for the cookie only) and the session. */
  Map.Entry<String, Session> create(String actor) {
    evict();
    String id = token();
    Instant now = clock.instant();
    Session s = new Session(hash(id), actor, token(), now, now);
    sessions.put(s.idHash(), s);
    return Map.entry(id, s);
  }

  /** The live session for a cookie value, touched; empty when unknown or expired. */
  Optional<Session> find(String id) {
    if (id == null || id.isEmpty() || id.length() > 100) {
      return Optional.empty();
    }
    String h = hash(id);
    Session s = sessions.get(h);
    if (s == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (expired(s, now)) {
      sessions.remove(h);
      return Optional.empty();
    }
    Session touched = new Session(s.idHash(), s.actor(), s.csrf(), s.created(), now);
    sessions.put(h, touched);
    return Optional.of(touched);
  }

  void end(Session s) {
    sessions.remove(s.idHash());
  }

  /** Whether this client may try to log in now. */
  boolean mayTry(String client) {
    Failures f = failures.get(client);
    return f == null || f.count() < MAX_FAILURES
        || Duration.between(f.since(), clock.instant()).compareTo(FAILURE_WINDOW) > 0;
  }

  void failed(String client) {
    Instant now = clock.instant();
    failures.compute(client, (k, f) -> f == null || Duration.between(f.since(), now).compareTo(FAILURE_WINDOW) > 0
        ? new Failures(1, now) : new Failures(f.count() + 1, f.since()));
    if (failures.size() > 10_000) {
      failures.clear(); // a flood of addresses: forget them all rather than grow without bound
    }
  }

  void succeeded(String client) {
    failures.remove(client);
  }

  static boolean sameSecret(String expected, String presented) {
    return presented != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
        presented.getBytes(StandardCharsets.UTF_8));
  }

  private boolean expired(Session s, Instant now) {
    return Duration.between(s.lastSeen(), now).compareTo(IDLE) > 0
        || Duration.between(s.created(), now).compareTo(ABSOLUTE) > 0;
  }

  private void evict() {
    Instant now = clock.instant();
    sessions.values().removeIf(s -> expired(s, now));
    while (sessions.size() >= MAX) {
      Iterator<Session> it = sessions.values().stream()
          .sorted(java.util.Comparator.comparing(Session::lastSeen)).iterator();
      if (!it.hasNext()) {
        break;
      }
      sessions.remove(it.next().idHash());
    }
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String hash(String id) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(id.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
