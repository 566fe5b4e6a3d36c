package io.distillguard.linkage;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import io.distillguard.core.Exchange;
import java.util.Arrays;
import java.util.Map;

/**
 * What linkage remembers about one account, in bounded memory whatever its traffic (under 1.5 KB): sign-up
 * attributes as hashes, the top few subnets, clients, system prompts, template skeletons and timing windows
 * (Space-Saving), a bottom-32 sketch of its prompt digests (to tell disjoint prompt sets from overlapping ones), the
 * keys it is filed under and its candidate neighbours.
 *
 * <p>Not thread-safe; owned by one {@link LinkageEngine}.
 */
public final class AccountProfile {
  static final int SKETCH = 32;
  static final int MAX_KEYS = 24;
  static final int MAX_NEIGHBORS = 48;
  /** Timing windows: position within a 15-minute lattice, in 10-second steps (90 windows). */
  static final int LATTICE_SECONDS = 900;
  static final int WINDOW_SECONDS = 10;

  private static final Hasher64 HASH = Hashing.komihash5_0();

  final int index;
  final String id;
  long createdAt = Long.MIN_VALUE;
  long payment;
  long emailDomain;
  long signupSubnet;

  final TopCounts subnets = new TopCounts(8);
  final TopCounts clients = new TopCounts(3);
  final TopCounts systems = new TopCounts(3);
  /** Template skeletons: prefix, suffix and frame (first and last word) of each prompt, tagged. */
  final TopCounts templates = new TopCounts(6);
  final TopCounts timing = new TopCounts(4);
  long templated;

  final long[] sketch = new long[SKETCH];
  int sketchSize;
  long prompts;
  long repeats;

  long exchanges;
  long firstSeen = Long.MIN_VALUE;
  long lastSeen = Long.MIN_VALUE;

  final long[] keys = new long[MAX_KEYS];
  int keyCount;
  final int[] neighbors = new int[MAX_NEIGHBORS];
  int neighborCount;

  /** The cluster the account was last put in, or null. */
  String cluster;

  /**
   * Whether anything pair scoring reads of this profile changed since the last recomputation scored its pairs: a new
   * profile (also one read back from a checkpoint) starts changed. Not written to checkpoints.
   */
  boolean changed = true;
  /** Whether it changed since {@link LinkageEngine#writeChanges} last wrote it. */
  boolean unsaved;
  /** How many of {@link #neighbors} the last recomputation scored; later ones are new pairs. */
  int scoredNeighbors;
  /**
   * Bit {@code k}: the pair with {@code neighbors[k]}, scored from this side, was confident at the last
   * recomputation ({@link Clusterer}, which scores a pair again only when something it reads changed).
   */
  long confident;

  AccountProfile(int index, String id) {
    this.index = index;
    this.id = id;
  }

  public String id() {
    return id;
  }

  public long exchanges() {
    return exchanges;
  }

  /** Sign-up time in epoch millis, or {@link Long#MIN_VALUE} when unknown. */
  public long createdAt() {
    return createdAt;
  }

  /** Sets the sign-up attributes the gateway knows ({@code payment_fingerprint}, {@code signup_ip}, ...). */
  void attributes(Map<String, String> attributes, long createdAtMillis) {
    changed = true;
    createdAt = createdAtMillis;
    payment = hash(attributes.get("payment_fingerprint"));
    emailDomain = hash(lower(attributes.get("email_domain")));
    signupSubnet = Subnets.of(attributes.get("signup_ip"));
  }

  /**
   * Folds one exchange in; appends keys first seen now to {@code fresh} (the caller files the account under them).
   */
  void observe(Exchange e, LongBuffer fresh) {
    observe(Observation.of(e), fresh);
  }

  /** Folds one exchange's observation in; appends keys first seen now to {@code fresh}. */
  void observe(Observation o, LongBuffer fresh) {
    changed = true;
    exchanges++;
    long t = o.at;
    if (firstSeen == Long.MIN_VALUE) {
      firstSeen = t;
    }
    lastSeen = Math.max(lastSeen, t);
    if (o.subnet != 0 && subnets.add(o.subnet)) {
      fresh.add(Keys.of(Keys.SUBNET, o.subnet));
    }
    if (o.hasClient() && clients.add(o.client)) {
      fresh.add(Keys.of(Keys.CLIENT, o.client));
    }
    long window = window(t);
    long before = lattice();
    timing.add(window);
    long after = lattice();
    if (after != 0 && after != before) {
      fresh.add(Keys.of(Keys.TIMING, after));
    }
    if (!o.completions()) {
      return;
    }
    if (o.system != 0) {
      systems.add(o.system);
      if (systems.count(o.system) == 2) {
        fresh.add(Keys.of(Keys.SYSTEM, o.system));
      }
    }
    if (o.templated()) {
      templated++;
      addTemplate(o.prefix, fresh);
      addTemplate(o.suffix, fresh);
      addTemplate(o.frame, fresh);
    }
    if (o.hasPrompt()) {
      prompts++;
      addPrompt(o.prompt);
    }
  }

  /** The client key's value: the user agent with the header fingerprint. */
  static long clientHash(String userAgent, String headerFingerprint) {
    return HASH.hashCharsToLong(userAgent) * 31 + hash(headerFingerprint);
  }

  private void addTemplate(long template, LongBuffer fresh) {
    templates.add(template);
    if (templates.count(template) == 2) {
      fresh.add(Keys.of(Keys.TEMPLATE, template));
    }
  }

  private void addPrompt(long h) {
    int pos = Arrays.binarySearch(sketch, 0, sketchSize, h);
    if (pos >= 0) {
      repeats++;
      return;
    }
    int ins = -pos - 1;
    if (sketchSize < SKETCH) {
      System.arraycopy(sketch, ins, sketch, ins + 1, sketchSize - ins);
      sketch[ins] = h;
      sketchSize++;
    } else if (ins < SKETCH) {
      System.arraycopy(sketch, ins, sketch, ins + 1, SKETCH - 1 - ins);
      sketch[ins] = h;
    }
  }

  /**
   * The timing window the account's requests concentrate in, or 0 when they do not: at least two requests and 70%
   * of them within the same 10 seconds of a 15-minute lattice (ticks of 1, 3, 5 and 15 minutes, half-hours and hours
   * all fall on it).
   */
  long lattice() {
    if (timing.total < 2) {
      return 0;
    }
    long top = timing.top();
    return timing.share(top) >= 0.7 ? top : 0;
  }

  /** The timing window (1..90) an instant in epoch millis falls in. */
  static long window(long epochMillis) {
    return Math.floorMod(Math.floorDiv(epochMillis, 1000), LATTICE_SECONDS) / WINDOW_SECONDS + 1;
  }

  /** Share of the account's prompts that repeat an earlier prompt (exact while it has asked 32 distinct or fewer). */
  double repeatShare() {
    return prompts == 0 ? 0 : repeats / (double) prompts;
  }

  /** Prompts the two sketches have in common, counted below the smaller of the two sketches' largest values. */
  static int commonPrompts(AccountProfile a, AccountProfile b) {
    if (a.sketchSize == 0 || b.sketchSize == 0) {
      return 0;
    }
    long limit = Math.min(a.sketch[a.sketchSize - 1], b.sketch[b.sketchSize - 1]);
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.sketchSize && j < b.sketchSize) {
      long x = a.sketch[i];
      long y = b.sketch[j];
      if (x > limit || y > limit) {
        break;
      }
      if (x == y) {
        common++;
        i++;
        j++;
      } else if (x < y) {
        i++;
      } else {
        j++;
      }
    }
    return common;
  }

  /** Files the account under a key; false when it already was or its key list is full. */
  boolean fileUnder(long key) {
    for (int i = 0; i < keyCount; i++) {
      if (keys[i] == key) {
        return false;
      }
    }
    if (keyCount == MAX_KEYS) {
      return false;
    }
    keys[keyCount++] = key;
    return true;
  }

  /** Adds a candidate neighbour; false when already there or the list is full. */
  boolean addNeighbor(int other) {
    for (int i = 0; i < neighborCount; i++) {
      if (neighbors[i] == other) {
        return false;
      }
    }
    if (neighborCount == MAX_NEIGHBORS) {
      return false;
    }
    neighbors[neighborCount++] = other;
    return true;
  }

  /** How many families other than {@code except} the two accounts share a key of. */
  static int otherFamiliesShared(AccountProfile a, AccountProfile b, Family except) {
    int mask = 0;
    for (int i = 0; i < a.keyCount; i++) {
      long k = a.keys[i];
      Family f = Keys.family(k);
      if (f == except || (mask & (1 << f.ordinal())) != 0) {
        continue;
      }
      for (int j = 0; j < b.keyCount; j++) {
        if (b.keys[j] == k) {
          mask |= 1 << f.ordinal();
          break;
        }
      }
    }
    return Integer.bitCount(mask);
  }

  static long promptHash(Exchange e) {
    String sha = e.promptSha256();
    if (sha != null && sha.length() >= 16) {
      try {
        return Long.parseUnsignedLong(sha, 0, 16, 16);
      } catch (NumberFormatException ex) {
        // fall through to the text
      }
    }
    return HASH.hashCharsToLong(e.userText());
  }

  static long hash(String s) {
    return s == null || s.isEmpty() ? 0 : HASH.hashCharsToLong(s) | 1;
  }

  private static String lower(String s) {
    return s == null ? null : s.strip().toLowerCase(java.util.Locale.ROOT);
  }
}
