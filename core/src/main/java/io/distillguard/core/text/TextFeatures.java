package io.distillguard.core.text;

import com.dynatrace.hash4j.hashing.Hasher64;
import com.dynatrace.hash4j.hashing.Hashing;
import com.dynatrace.hash4j.similarity.ElementHashProvider;
import com.dynatrace.hash4j.similarity.SimilarityHashPolicy;
import com.dynatrace.hash4j.similarity.SimilarityHasher;
import com.dynatrace.hash4j.similarity.SimilarityHashing;
import io.distillguard.core.ChatMessage;
import io.distillguard.core.Exchange;
import java.util.List;

/**
 * What the text detectors need from one exchange, computed once however many detectors ask: the new prompt's tokens,
 * reasoning and grading cues, language, template skeleton hashes, a SimHash for near-duplicates, a MinHash-style
 * topic signature, and the shape of the conversation. Memoized per thread for the last exchange seen, since the
 * engine hands the same exchange to every detector in turn.
 */
public final class TextFeatures {
  /** Longest prompt prefix examined; enough for wording and templates, bounded cost for huge prompts. */
  public static final int MAX_CHARS = 4000;
  /** Skeleton tokens hashed at each end of a prompt to find constant wrappers. */
  static final int WRAPPER_TOKENS = 6;
  public static final int TOPIC_COMPONENTS = 4;

  private static final ThreadLocal<TextFeatures> LAST = new ThreadLocal<>();
  private static final SimilarityHashPolicy SIMHASH_POLICY = SimilarityHashing.fastSimHash(64);
  private static final ThreadLocal<SimilarityHasher> SIMHASH =
      ThreadLocal.withInitial(SIMHASH_POLICY::createHasher);
  private static final Hasher64 HASH = Hashing.komihash5_0();

  private final Exchange exchange;
  public final Tokens tokens;
  public final int cues;
  public final int language;
  /** Hash of the first skeleton tokens (numbers and literals masked); 0 for very short prompts. */
  public final long prefixHash;
  /** Hash of the last skeleton tokens. */
  public final long suffixHash;
  /** Hash of the whole skeleton: prompts that differ only in numbers and literals share it. */
  public final long skeletonHash;
  /** 64-bit SimHash over token pairs: near-duplicate prompts differ in few bits. */
  public final long simHash;
  /** Number of user turns in the request (1 = single-turn). */
  public final int userTurns;
  /** Whether earlier assistant answers are carried in the request (a follow-up). */
  public final boolean followUp;
  /** Hash of the system prompt, 0 when none. */
  public final long systemHash;

  private TextFeatures(Exchange e) {
    this.exchange = e;
    List<ChatMessage> messages = e.messages();
    String prompt = "";
    int users = 0;
    boolean assistant = false;
    long system = 0;
    for (ChatMessage m : messages) {
      String role = m.role();
      if ("assistant".equals(role)) {
        assistant = true;
      } else if ("system".equals(role) || "developer".equals(role)) {
        if (m.content() != null) {
          system = HASH.hashCharsToLong(m.content()) | 1;
        }
      } else if (!"tool".equals(role)) {
        users++;
        if (m.content() != null) {
          prompt = m.content();
        }
      }
    }
    this.userTurns = users;
    this.followUp = assistant;
    this.systemHash = system;
    this.tokens = Tokens.of(prompt, MAX_CHARS);
    this.cues = Lexicons.REASONING.match(tokens);
    this.language = Lexicons.language(tokens);
    int n = tokens.size();
    this.prefixHash = n >= 4 ? mix(tokens, 0, Math.min(WRAPPER_TOKENS, n)) : 0;
    this.suffixHash = n >= 4 ? mix(tokens, Math.max(0, n - WRAPPER_TOKENS), n) : 0;
    this.skeletonHash = n > 0 ? mix(tokens, 0, n) : 0;
    this.simHash = simHash(tokens);
  }

  /** The features of an exchange (reused while the same exchange is asked for again on this thread). */
  public static TextFeatures of(Exchange e) {
    TextFeatures f = LAST.get();
    if (f == null || f.exchange != e) {
      f = new TextFeatures(e);
      LAST.set(f);
    }
    return f;
  }

  /** Asks for visible or hidden step-by-step reasoning, or a structured answer with a reasoning field. */
  public boolean elicitsReasoning() {
    return (cues & (Lexicons.COT | Lexicons.HIDDEN)) != 0
        || (cues & (Lexicons.STRUCTURED | Lexicons.REASON_FIELD)) == (Lexicons.STRUCTURED | Lexicons.REASON_FIELD);
  }

  /** Uses the model as a grader or judge. */
  public boolean grades() {
    return (cues & Lexicons.RUBRIC) != 0;
  }

  private static long mix(Tokens t, int from, int to) {
    long h = 0x9E3779B97F4A7C15L;
    for (int i = from; i < to; i++) {
      h = Long.rotateLeft(h ^ t.skeletonHash(i), 27) * 0xC2B2AE3D27D4EB4FL;
    }
    return h ^ (h >>> 31);
  }

  private static long simHash(Tokens t) {
    int n = t.size();
    if (n == 0) {
      return 0;
    }
    byte[] sig = SIMHASH.get().compute(ElementHashProvider.ofFunction(
        i -> fmix(t.skeletonHash(i) * 31 + (i + 1 < n ? t.skeletonHash(i + 1) : 0x5555L)), n));
    long out = 0;
    for (int i = 0; i < 8; i++) {
      out |= (sig[i] & 0xffL) << (8 * i);
    }
    return out;
  }

  static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
