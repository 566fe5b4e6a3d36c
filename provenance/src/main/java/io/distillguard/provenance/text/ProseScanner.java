package io.distillguard.provenance.text;

/**
 * Splits text, pushed in pieces of any size, into prose tokens and verbatim text, so that a watermark only ever
 * rewrites whole words of running prose. Everything else passes through unchanged:
 * <ul>
 *   <li>code: fenced blocks (three or more backticks up to the next such run) and inline code (backticks up to the
 *       next backtick or the end of the line);
 *   <li>quoted text: {@code "..."}, {@code “...”}, {@code «...»}, and single-quoted spans that open at the start of
 *       a token, each up to its closing mark or the end of the line (an unbalanced quote protects one line);
 *   <li>JSON and other bracketed structure: from an opening {@code {} or {@code [} to its balancing close (an
 *       unclosed one protects the rest of the text: the safe side);
 *   <li>tokens longer than {@value #MAX_TOKEN} characters (URLs, hashes, base64), which cannot be words.
 * </ul>
 * Tokens are maximal runs of non-space characters outside those spans; whether a token is a word, a number, a URL
 * or a name is the consumer's decision ({@link Token}).
 *
 * <p>The split depends only on the characters, never on where the pieces were cut: the scanner holds back at most
 * the token in progress (or a run of backticks, or a single quote whose role the next character decides), so a
 * stream and the whole text yield the same tokens. It holds a token back only while the sink says it may still be
 * rewritten ({@link Sink#mayRewrite}): most words are sent on as soon as their first letters rule that out. (The
 * sink may hold back one more complete word of its own, the first of a two-word variant.)
 */
public final class ProseScanner {
  static final int MAX_TOKEN = 64;

  /** Receives the scanner's output in text order. */
  public interface Sink {
    /** Text that must be reproduced unchanged (spaces, code, quotes, structure, over-long tokens). */
    void verbatim(CharSequence text);

    /** A complete prose token; the sink emits it or a replacement. */
    void token(String token);

    /** A protected span begins or ends: words on either side are not neighbours. */
    void boundary();

    /**
     * Whether a token that begins with {@code prefix} could still be rewritten; when not, the scanner sends its
     * characters on at once as verbatim text and reports the whole token to {@link #passed} at its end.
     */
    default boolean mayRewrite(CharSequence prefix) {
      return true;
    }

    /** A complete prose token whose characters were already sent as verbatim text; for context only. */
    default void passed(String token) {
    }

    /** The text ended: release anything held back. */
    default void end() {
    }
  }

  private enum Mode { PROSE, LONG, FENCE, INLINE, QUOTE, SQUOTE, BRACKET }

  private final Sink sink;
  private final StringBuilder token = new StringBuilder();
  private Mode mode = Mode.PROSE;
  private int ticks;
  private char closer;
  private int depth;
  private boolean heldQuote;
  private boolean passing;
  private char prev = ' ';

  public ProseScanner(Sink sink) {
    this.sink = sink;
  }

  /** Scans the next piece of text. */
  public void push(CharSequence text) {
    for (int i = 0; i < text.length(); i++) {
      accept(text.charAt(i));
    }
  }

  /** Ends the text: releases whatever was held back. The scanner can then take a new text. */
  public void finish() {
    if (heldQuote) {
      heldQuote = false;
      sink.verbatim("'");
      mode = Mode.PROSE;
      sink.boundary();
    }
    endTicks();
    endToken();
    sink.end();
    mode = Mode.PROSE;
    depth = 0;
    prev = ' ';
  }

  private void accept(char c) {
    if (heldQuote) {
      heldQuote = false;
      if (Character.isLetter(c)) {
        sink.verbatim("'"); // an apostrophe inside a quoted span ("don't"): the span goes on
      } else {
        sink.verbatim("'");
        mode = Mode.PROSE;
        sink.boundary();
      }
    }
    if (c == '`' && (mode == Mode.PROSE || mode == Mode.FENCE || mode == Mode.INLINE)) {
      if (mode == Mode.PROSE && ticks == 0) {
        endToken();
      }
      ticks++;
      prev = c;
      return;
    }
    if (ticks > 0) {
      endTicks();
    }
    switch (mode) {
      case PROSE -> prose(c);
      case LONG -> {
        sink.verbatim(String.valueOf(c));
        if (Character.isWhitespace(c)) {
          mode = Mode.PROSE;
        }
      }
      case FENCE, INLINE -> {
        if (mode == Mode.INLINE && c == '\n') {
          mode = Mode.PROSE;
          sink.boundary();
        }
        sink.verbatim(String.valueOf(c));
      }
      case QUOTE -> {
        sink.verbatim(String.valueOf(c));
        if (c == closer || c == '\n') {
          mode = Mode.PROSE;
          sink.boundary();
        }
      }
      case SQUOTE -> {
        if (c == '\'') {
          heldQuote = true;
        } else {
          sink.verbatim(String.valueOf(c));
          if (c == '\n') {
            mode = Mode.PROSE;
            sink.boundary();
          }
        }
      }
      case BRACKET -> {
        sink.verbatim(String.valueOf(c));
        if (c == '{' || c == '[') {
          depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
          mode = Mode.PROSE;
          sink.boundary();
        }
      }
      default -> throw new IllegalStateException();
    }
    prev = c;
  }

  private void prose(char c) {
    if (Character.isWhitespace(c)) {
      endToken();
      sink.verbatim(String.valueOf(c));
      return;
    }
    switch (c) {
      case '"', '“', '«', '„' -> {
        endToken();
        sink.boundary();
        sink.verbatim(String.valueOf(c));
        mode = Mode.QUOTE;
        closer = c == '"' ? '"' : c == '«' ? '»' : '”';
      }
      case '{', '[' -> {
        endToken();
        sink.boundary();
        sink.verbatim(String.valueOf(c));
        mode = Mode.BRACKET;
        depth = 1;
      }
      case '\'', '‘' -> {
        if (token.length() == 0 && !Character.isLetterOrDigit(prev)) {
          sink.boundary();
          sink.verbatim(String.valueOf(c));
          mode = c == '\'' ? Mode.SQUOTE : Mode.QUOTE;
          closer = '’';
        } else {
          inToken(c); // an apostrophe inside a word ("don't")
        }
      }
      default -> inToken(c);
    }
  }

  private void inToken(char c) {
    token.append(c);
    if (passing) {
      sink.verbatim(String.valueOf(c));
    } else if (!sink.mayRewrite(token)) {
      // Nothing this token can become will be rewritten: send it on now rather than at its end.
      passing = true;
      sink.verbatim(token);
    }
    if (token.length() > MAX_TOKEN) {
      if (!passing) {
        sink.verbatim(token);
      }
      token.setLength(0);
      passing = false;
      mode = Mode.LONG;
    }
  }

  /** A run of backticks ended: it opens or closes code. */
  private void endTicks() {
    if (ticks == 0) {
      return;
    }
    int run = ticks;
    ticks = 0;
    sink.verbatim("`".repeat(run));
    switch (mode) {
      case PROSE -> {
        sink.boundary();
        mode = run >= 3 ? Mode.FENCE : Mode.INLINE;
      }
      case FENCE -> {
        if (run >= 3) {
          mode = Mode.PROSE;
          sink.boundary();
        }
      }
      case INLINE -> {
        mode = Mode.PROSE;
        sink.boundary();
      }
      default -> { }
    }
  }

  private void endToken() {
    if (token.length() > 0) {
      String t = token.toString();
      token.setLength(0);
      if (passing) {
        passing = false;
        sink.passed(t);
      } else {
        sink.token(t);
      }
    }
  }
}
