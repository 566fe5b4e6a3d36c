package io.distillguard.core.text;

import java.util.Arrays;

/**
 * A text split into lower-cased word tokens, each kept as a 64-bit hash (the detectors compare tokens, never need
 * them back). Letters and digits form words; every CJK ideograph, kana or hangul syllable is a token of its own,
 * since those scripts do not separate words with spaces. Also records which scripts occur.
 */
public final class Tokens {
  /** Script bits, see {@link #scripts()}. */
  public static final int LATIN = 1;
  public static final int CYRILLIC = 1 << 1;
  public static final int GREEK = 1 << 2;
  public static final int ARABIC = 1 << 3;
  public static final int HEBREW = 1 << 4;
  public static final int DEVANAGARI = 1 << 5;
  public static final int HAN = 1 << 6;
  public static final int KANA = 1 << 7;
  public static final int HANGUL = 1 << 8;
  public static final int THAI = 1 << 9;
  public static final int OTHER = 1 << 10;

  private static final long FNV = 0xcbf29ce484222325L;
  private static final long PRIME = 0x100000001b3L;
  /** Hash standing for any number, so "what is 3+4" and "what is 17+9" share a skeleton. */
  public static final long NUMBER = 0x4e554d4245524e55L;
  /** Hash standing for an overlong token (ids, base64, URLs): literal content, not wording. */
  public static final long LITERAL = 0x4c4954455241524cL;

  private long[] hashes;
  private byte[] kinds;
  private int size;
  private int scripts;
  private int quotedTokens;

  /** Token kinds. */
  public static final byte WORD = 0;
  public static final byte NUMERIC = 1;
  public static final byte IDEOGRAPH = 2;
  public static final byte LONG = 3;

  private Tokens(int capacity) {
    hashes = new long[Math.max(8, capacity)];
    kinds = new byte[hashes.length];
  }

  /** Tokenizes at most {@code maxChars} characters of {@code text}. */
  public static Tokens of(CharSequence text, int maxChars) {
    int n = Math.min(text.length(), maxChars);
    Tokens t = new Tokens(n / 5 + 4);
    long h = FNV;
    int len = 0;
    boolean digits = true;
    boolean inQuote = false;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\u201c' || c == '\u201d' || c == '\u00ab' || c == '\u00bb') {
        inQuote = !inQuote;
      }
      int script = script(c);
      if (script == HAN || script == KANA || script == HANGUL || script == THAI) {
        if (len > 0) {
          t.add(h, len, digits, inQuote);
          h = FNV;
          len = 0;
          digits = true;
        }
        t.scripts |= script;
        t.add((c * 0x9E3779B97F4A7C15L) ^ 0x5bd1e995L, 1, false, inQuote);
        t.kinds[t.size - 1] = IDEOGRAPH;
        continue;
      }
      if (Character.isLetterOrDigit(c)) {
        if (script != 0) {
          t.scripts |= script;
        }
        char lc = Character.toLowerCase(c);
        h = (h ^ lc) * PRIME;
        len++;
        digits &= c >= '0' && c <= '9';
      } else if (len > 0) {
        t.add(h, len, digits, inQuote);
        h = FNV;
        len = 0;
        digits = true;
      }
    }
    if (len > 0) {
      t.add(h, len, digits, inQuote);
    }
    return t;
  }

  private void add(long hash, int len, boolean digits, boolean quoted) {
    if (size == hashes.length) {
      hashes = Arrays.copyOf(hashes, size * 2);
      kinds = Arrays.copyOf(kinds, size * 2);
    }
    hashes[size] = hash;
    kinds[size] = digits ? NUMERIC : len > 24 ? LONG : WORD;
    if (quoted) {
      quotedTokens++;
    }
    size++;
  }

  static int script(char c) {
    if (c < 0x80) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ? LATIN : 0;
    }
    Character.UnicodeScript s;
    try {
      s = Character.UnicodeScript.of(c);
    } catch (IllegalArgumentException e) {
      return OTHER;
    }
    switch (s) {
      case LATIN: return LATIN;
      case CYRILLIC: return CYRILLIC;
      case GREEK: return GREEK;
      case ARABIC: return ARABIC;
      case HEBREW: return HEBREW;
      case DEVANAGARI: return DEVANAGARI;
      case HAN: return HAN;
      case HIRAGANA: case KATAKANA: return KANA;
      case HANGUL: return HANGUL;
      case THAI: return THAI;
      case COMMON: case INHERITED: return 0;
      default: return OTHER;
    }
  }

  public int size() {
    return size;
  }

  public long hash(int i) {
    return hashes[i];
  }

  public byte kind(int i) {
    return kinds[i];
  }

  /** The token as a skeleton element: numbers and overlong literals masked. */
  public long skeletonHash(int i) {
    byte k = kinds[i];
    return k == NUMERIC ? NUMBER : k == LONG ? LITERAL : hashes[i];
  }

  /** Bit set of the scripts that occur (the constants of this class). */
  public int scripts() {
    return scripts;
  }

  /** Tokens inside quotation marks (user content in a template, or quoted material). */
  public int quotedTokens() {
    return quotedTokens;
  }

  /** FNV-1a hash of a lower-case word, as it would appear in a token list. */
  public static long wordHash(String word) {
    long h = FNV;
    for (int i = 0; i < word.length(); i++) {
      h = (h ^ Character.toLowerCase(word.charAt(i))) * PRIME;
    }
    return h;
  }
}
