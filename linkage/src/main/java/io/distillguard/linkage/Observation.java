package io.distillguard.linkage;

import io.distillguard.core.Exchange;
import io.distillguard.core.text.TextFeatures;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What linkage reads of one exchange, as hashes: when it was sent, from which subnet and client, and for chat
 * completions the system prompt, the three template skeletons of the user's prompt and the prompt's digest. Taking it
 * is the costly part of folding an exchange in (the text is tokenised); folding it into a profile is cheap. A stream
 * job therefore takes it once, where the exchange's account is keyed, and ships it to the stage that keeps the
 * profiles ({@link LinkageEngine#accept(Exchange, Observation, FilingAnswer[])}).
 */
public final class Observation {
  /** Flag bits. */
  private static final int CLIENT = 1;
  private static final int COMPLETIONS = 2;
  private static final int TEMPLATED = 4;
  private static final int PROMPT = 8;
  private static final int KNOWN = CLIENT | COMPLETIONS | TEMPLATED | PROMPT;

  final long at;
  final long subnet;
  final long client;
  final long system;
  final long prefix;
  final long suffix;
  final long frame;
  final long prompt;
  private final int flags;

  private Observation(long at, long subnet, long client, long system, long prefix, long suffix, long frame,
      long prompt, int flags) {
    this.at = at;
    this.subnet = subnet;
    this.client = client;
    this.system = system;
    this.prefix = prefix;
    this.suffix = suffix;
    this.frame = frame;
    this.prompt = prompt;
    this.flags = flags;
  }

  /** Takes the observation of an exchange (tokenises its prompt when it is a chat completion). */
  public static Observation of(Exchange e) {
    long at = e.eventTime().toEpochMilli();
    long subnet = Subnets.of(e.clientIp());
    int flags = 0;
    long client = 0;
    if (e.userAgent() != null) {
      client = AccountProfile.clientHash(e.userAgent(), e.headerFingerprint());
      flags |= CLIENT;
    }
    if (!e.endpoint().endsWith("completions")) {
      return new Observation(at, subnet, client, 0, 0, 0, 0, 0, flags);
    }
    flags |= COMPLETIONS;
    TextFeatures f = TextFeatures.of(e);
    int n = f.tokens.size();
    long prefix = 0;
    long suffix = 0;
    long frame = 0;
    if (n >= 4) {
      flags |= TEMPLATED;
      prefix = f.prefixHash * 3 + 1;
      suffix = f.suffixHash * 3 + 2;
      frame = (f.tokens.skeletonHash(0) * 31 + f.tokens.skeletonHash(n - 1)) * 3;
    }
    long prompt = 0;
    if (n > 0) {
      flags |= PROMPT;
      prompt = AccountProfile.promptHash(e);
    }
    return new Observation(at, subnet, client, f.systemHash, prefix, suffix, frame, prompt, flags);
  }

  boolean hasClient() {
    return (flags & CLIENT) != 0;
  }

  boolean completions() {
    return (flags & COMPLETIONS) != 0;
  }

  boolean templated() {
    return (flags & TEMPLATED) != 0;
  }

  boolean hasPrompt() {
    return (flags & PROMPT) != 0;
  }

  /** Event time in epoch millis. */
  public long at() {
    return at;
  }

  /** The binary form: the flags, then the time and each hash the flags say is there. */
  public void write(DataOutput out) throws IOException {
    out.writeByte(flags);
    out.writeLong(at);
    out.writeLong(subnet);
    if (hasClient()) {
      out.writeLong(client);
    }
    if (completions()) {
      out.writeLong(system);
    }
    if (templated()) {
      out.writeLong(prefix);
      out.writeLong(suffix);
      out.writeLong(frame);
    }
    if (hasPrompt()) {
      out.writeLong(prompt);
    }
  }

  /** Reads what {@link #write} wrote; unknown flags, or parts the flags rule out, are refused. */
  public static Observation read(DataInput in) throws IOException {
    int flags = in.readUnsignedByte();
    if ((flags & ~KNOWN) != 0 || ((flags & (TEMPLATED | PROMPT)) != 0 && (flags & COMPLETIONS) == 0)) {
      throw new IOException("corrupt observation: flags " + flags);
    }
    long at = in.readLong();
    long subnet = in.readLong();
    long client = (flags & CLIENT) != 0 ? in.readLong() : 0;
    long system = (flags & COMPLETIONS) != 0 ? in.readLong() : 0;
    long prefix = 0;
    long suffix = 0;
    long frame = 0;
    if ((flags & TEMPLATED) != 0) {
      prefix = in.readLong();
      suffix = in.readLong();
      frame = in.readLong();
    }
    long prompt = (flags & PROMPT) != 0 ? in.readLong() : 0;
    return new Observation(at, subnet, client, system, prefix, suffix, frame, prompt, flags);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Observation x && x.at == at && x.subnet == subnet && x.client == client
        && x.system == system && x.prefix == prefix && x.suffix == suffix && x.frame == frame && x.prompt == prompt
        && x.flags == flags;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(at * 31 + subnet) * 31 + Long.hashCode(prompt ^ prefix ^ client);
  }

  @Override
  public String toString() {
    return "Observation[at=" + at + ", flags=" + flags + "]";
  }
}
