package io.distillguard.provenance.text;

import io.distillguard.provenance.lexicon.Lexicon;
import java.util.Locale;
import java.util.Set;

/**
 * Walks prose tokens in order, keeping each word's context (the token before it, see {@link Token#contextAfter})
 * and hands every word of the lexicon to a {@link Visitor}, which may replace it.
 * The watermark and its detector share this walk, so they agree on every context by construction.
 *
 * <p>Two-word variants ("does not" for "doesn't"): a word that starts one is held back until the next token shows
 * whether the pair is there (the two tokens separated by exactly one space, the first without closing punctuation,
 * the second without opening parentheses). So a stream holds back at most one complete word and a space, besides
 * the token the scanner has in progress. Contraction sets are scored only where both forms are grammatical: a
 * negative one only in a statement, after a word or a number that is not a question word (so "why doesn't it" or a
 * sentence-initial "Isn't it" is never expanded into a question that no longer parses); a pronoun one ("they are" /
 * "they're") only when no punctuation follows and the word before is not one after which "be" is stressed ("than
 * they are", "what you are", "here you are"); at the very end of a text without punctuation ("we know they are")
 * it cannot tell. Pronoun contractions are read with a capital too ("They're", "I am"), and keep it. A contraction is written with the apostrophe the text has used so far (the typographic one once it
 * has appeared, else the straight one); lookups treat both alike.
 */
public final class WordWalker implements ProseScanner.Sink {
  /** Context at the start of a text. */
  public static final String START = "<s>";
  /** Context right after a protected span (code, quote, structure). */
  public static final String BOUNDARY = "<b>";

  /** Words after which a negative contraction may be an inverted question ("why isn't it"). */
  private static final Set<String> QUESTION_WORDS = Set.of("why", "how", "what", "where", "when", "who", "whom",
      "whose", "which", "whether", "whatever", "wherever", "however");

  /** Words after which "be" may be stressed, so that a pronoun contraction would not parse ("than they are"). */
  private static final Set<String> STRESSED_BE = Set.of("why", "how", "what", "where", "when", "who", "whom",
      "whose", "which", "whether", "whatever", "wherever", "however", "whoever", "as", "than", "here", "there");

  /** Sees each lexicon word with its context. */
  public interface Visitor {
    /**
     * @param context the normalized token before the word
     * @param entry   the word's variant set and its position in it
     * @return the variant to write instead, or {@code entry.variant()} to keep the word
     */
    int word(String context, Lexicon.Entry entry);
  }

  /** Receives the walked text, in order. */
  public interface Emitter {
    /** Text that is not a scored word: spaces, punctuation, protected spans, unscored words. */
    void verbatim(CharSequence text);

    /** A scored word (or two-word variant) as written, after the visitor's choice. */
    default void scored(CharSequence written) {
      verbatim(written);
    }
  }

  private final Lexicon lexicon;
  private final Visitor visitor;
  private final Emitter emitter;
  private String context = START;
  private int words;
  private int changed;
  private boolean curly;
  /** A complete token that may start a two-word variant, not yet written; null when none. */
  private String pending;
  /** Whether the single space after {@link #pending} has been seen (and held). */
  private boolean pendingSpace;

  /**
   * @param out receives the text with replacements, or null when only the visits matter
   */
  public WordWalker(Lexicon lexicon, Visitor visitor, StringBuilder out) {
    this(lexicon, visitor, out == null ? text -> { } : out::append);
  }

  public WordWalker(Lexicon lexicon, Visitor visitor, Emitter emitter) {
    this.lexicon = lexicon;
    this.visitor = visitor;
    this.emitter = emitter;
  }

  @Override
  public void verbatim(CharSequence text) {
    if (pending != null) {
      if (!pendingSpace && text.length() == 1 && text.charAt(0) == ' ') {
        pendingSpace = true;
        return;
      }
      release();
    }
    noteApostrophe(text);
    emitter.verbatim(text);
  }

  @Override
  public void boundary() {
    release();
    context = BOUNDARY;
  }

  @Override
  public void end() {
    release();
  }

  @Override
  public boolean mayRewrite(CharSequence prefix) {
    if (pending != null && pendingSpace && prefix.length() > 0 && prefix.charAt(0) != '(') {
      String first = pairWord(new Token(pending));
      String core = stripTrail(prefix);
      if (core.length() < prefix.length()) {
        if (lexicon.lookupPair(first, lower(core)) != null) {
          return true;
        }
      } else if (!core.isEmpty() && lexicon.hasPrefix(first + " " + lower(core))) {
        return true;
      }
    }
    int s = 0;
    while (s < prefix.length() && prefix.charAt(s) == '(') {
      s++;
    }
    int e = prefix.length();
    while (e > s && Token.TRAIL.indexOf(prefix.charAt(e - 1)) >= 0) {
      e--;
    }
    if (e - s < 1) {
      return true;
    }
    if (e < prefix.length()) {
      // closing punctuation ends the core: it must be a whole lexicon word now
      Token tk = new Token(prefix.toString());
      return lookup(tk) != null;
    }
    for (int i = s; i < e; i++) {
      char c = prefix.charAt(i);
      boolean lower = c >= 'a' && c <= 'z';
      // a capital only at the start: "They're" and "I am" are read too (contraction words are never names)
      if (!lower && !(i > s && (c == '\'' || c == Token.CURLY)) && !(i == s && c >= 'A' && c <= 'Z')) {
        return false;
      }
    }
    return lexicon.hasPrefix(lower(prefix.subSequence(s, e).toString()));
  }

  private static String stripTrail(CharSequence prefix) {
    int e = prefix.length();
    while (e > 0 && Token.TRAIL.indexOf(prefix.charAt(e - 1)) >= 0) {
      e--;
    }
    return prefix.subSequence(0, e).toString();
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT).replace(Token.CURLY, '\'');
  }

  @Override
  public void passed(String text) {
    Token tk = new Token(text);
    if (!tk.core().isEmpty() && Character.isLetter(tk.core().charAt(0))) {
      words++;
    }
    context = tk.contextAfter();
  }

  @Override
  public void token(String text) {
    if (pending != null) {
      if (pendingSpace && pair(text)) {
        return;
      }
      release();
    }
    Token tk = new Token(text);
    String first = pairWord(tk);
    if (first != null && tk.trail().isEmpty()) {
      pending = text;
      pendingSpace = false;
      return;
    }
    single(tk);
  }

  /** The lowercase first word of a two-word variant that {@code tk} may be ("They" too), or null. */
  private String pairWord(Token tk) {
    String w = tk.word();
    if (w == null) {
      w = capitalized(tk);
    }
    return w != null && lexicon.startsPair(w) ? w : null;
  }

  /** The core of a capitalized word ("They", "I", "I'm") in lower case, or null when it is not one. */
  private static String capitalized(Token tk) {
    String core = tk.core();
    if (core.isEmpty() || core.charAt(0) < 'A' || core.charAt(0) > 'Z') {
      return null;
    }
    String lower = Character.toLowerCase(core.charAt(0)) + core.substring(1);
    if (lower.length() == 1) {
      return lower;
    }
    return new Token(lower).word();
  }

  /** Writes a held first word as an ordinary token (the pair did not follow), with its held space. */
  private void release() {
    if (pending == null) {
      return;
    }
    String p = pending;
    boolean space = pendingSpace;
    pending = null;
    pendingSpace = false;
    single(new Token(p));
    if (space) {
      emitter.verbatim(" ");
    }
  }

  /** The held word and {@code text} as a two-word variant, if they are one; false (nothing written) if not. */
  private boolean pair(String text) {
    Token second = new Token(text);
    String w2 = second.word();
    Token first = new Token(pending);
    if (!second.lead().isEmpty() || w2 == null) {
      return false;
    }
    Lexicon.Entry entry = lexicon.lookupPair(pairWord(first), w2);
    if (entry == null || (first.word() == null && !capitalsRead(entry))) {
      return false;
    }
    pending = null;
    pendingSpace = false;
    String inside = first.contextInside();
    if (inside != null) {
      context = inside;
    }
    words += 2;
    String original = first.core() + " " + second.core();
    String written = original;
    boolean scored = allowed(entry, second);
    if (scored) {
      int chosen = visitor.word(context, entry);
      if (chosen != entry.variant()) {
        written = cased(styled(entry.set().variant(chosen), first.curly() || second.curly()), first.capitalized());
        changed++;
      }
    }
    emitter.verbatim(first.lead());
    if (scored) {
      emitter.scored(written);
    } else {
      emitter.verbatim(written);
    }
    emitter.verbatim(second.trail());
    noteApostrophe(original);
    noteApostrophe(written);
    int space = written.lastIndexOf(' ');
    context = new Token(written.substring(space + 1) + second.trail()).contextAfter();
    return true;
  }

  /** The entry of a single token: a lowercase lexicon word, or a contraction word with a capital ("Don't"). */
  private Lexicon.Entry lookup(Token tk) {
    String word = tk.word();
    if (word != null) {
      return lexicon.lookup(word);
    }
    String lower = capitalized(tk);
    Lexicon.Entry e = lower == null ? null : lexicon.lookup(lower);
    return e != null && capitalsRead(e) ? e : null;
  }

  /**
   * Whether a word of this set is read with a capital: only pronoun contractions ("They're", "I am"). A negative
   * one with a capital starts a sentence, where it may be a question ("Isn't it"), or is title case.
   */
  private static boolean capitalsRead(Lexicon.Entry e) {
    return e.set().contraction() && !e.set().negation();
  }

  /** Whether a contraction set may be scored here (other sets always are); {@code last} is its last token. */
  private boolean allowed(Lexicon.Entry entry, Token last) {
    if (!entry.set().contraction()) {
      return true;
    }
    if (entry.set().negation()) {
      return statement(context);
    }
    return last.trail().isEmpty() && !STRESSED_BE.contains(context);
  }

  private static String cased(String variant, boolean capital) {
    return capital ? Character.toUpperCase(variant.charAt(0)) + variant.substring(1) : variant;
  }

  private void single(Token tk) {
    String inside = tk.contextInside();
    if (inside != null) {
      context = inside;
    }
    String written = tk.text();
    noteApostrophe(written);
    if (!tk.core().isEmpty() && Character.isLetter(tk.core().charAt(0))) {
      words++;
    }
    Lexicon.Entry entry = lookup(tk);
    boolean scored = entry != null && allowed(entry, tk);
    if (scored) {
      int chosen = visitor.word(context, entry);
      if (chosen != entry.variant()) {
        written = tk.replaceCore(styled(entry.set().variant(chosen), tk.curly()));
        tk = new Token(written);
        changed++;
      }
      emitter.verbatim(tk.lead());
      emitter.scored(tk.core());
      emitter.verbatim(tk.trail());
    } else {
      emitter.verbatim(written);
    }
    noteApostrophe(written);
    // a contraction written out in two words ("doesn't" as "does not"): the next word follows the second
    int space = written.lastIndexOf(' ');
    context = space < 0 ? tk.contextAfter() : new Token(written.substring(space + 1)).contextAfter();
  }

  /** A variant with the apostrophe this text uses. */
  private String styled(String variant, boolean curlyHere) {
    return curly || curlyHere ? variant.replace('\'', Token.CURLY) : variant;
  }

  private void noteApostrophe(CharSequence text) {
    if (!curly) {
      for (int i = 0; i < text.length(); i++) {
        if (text.charAt(i) == Token.CURLY) {
          curly = true;
          return;
        }
      }
    }
  }

  /**
   * Whether a contraction after {@code context} is in a statement: the context is a word or a number (not the start
   * of a sentence, a boundary or punctuation, where "Isn't it" or "..., doesn't it" may be a question) and not a
   * question word.
   */
  static boolean statement(String context) {
    if (context.equals("<num>")) {
      return true;
    }
    if (context.isEmpty() || QUESTION_WORDS.contains(context)) {
      return false;
    }
    for (int i = 0; i < context.length(); i++) {
      char c = context.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(i > 0 && c == '\'')) {
        return false;
      }
    }
    return true;
  }

  /** Resets the context for a new, unrelated text. */
  public void reset() {
    release();
    context = START;
    curly = false;
  }

  /** Prose tokens that start with a letter, seen so far. */
  public int words() {
    return words;
  }

  /** Words replaced so far. */
  public int changed() {
    return changed;
  }
}
