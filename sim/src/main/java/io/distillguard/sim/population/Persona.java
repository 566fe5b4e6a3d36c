package io.distillguard.sim.population;

import io.distillguard.core.SamplingParams;
import io.distillguard.sim.SimAccount;

/**
 * How one human user behaves: where and when they are, which client they use, how they sample, how active they
 * are. The same persona drives an ordinary account, an end user behind a reseller's proxy account, or the cover
 * traffic of an evasive campaign (then the account, address and client are the operator's).
 */
public final class Persona {
  public SimAccount account;
  /** UTC offset of the user's local time. */
  public int utcOffsetMinutes;
  public Rhythm rhythm = Rhythm.PERSONAL;
  /** Mean requests per day averaged over the week. */
  public double requestsPerDay = 3;
  /** Usual client address; {@link #mobileIp} is used for some sessions when set. */
  public String ip;
  public String mobileIp;
  public String userAgent;
  public String model;
  public SamplingParams params = SamplingParams.NONE;
  public double streamShare;
  /** Legacy completions endpoint instead of chat. */
  public boolean legacyCompletions;
  /** System prompt the client always sends, or null. */
  public String systemPrompt;
  /** Per-dataset weights over {@link SimContext#benignPools()} (null = the defaults). */
  public double[] poolWeights;
  /** No requests before this time (signup, or the start of a campaign). */
  public long activeFrom;
  /** No requests after this time. */
  public long activeUntil = Long.MAX_VALUE;
  /** Whether this persona's requests count as attack traffic (false for real users and cover traffic). */
  public boolean attack;
}
