package io.distillguard.sim.campaign;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A prompt template compiled once into segments, rendered per request with a StringBuilder (no regex, no parsing
 * at generation time).
 *
 * <p>Syntax: {@code {prompt}} (instruction and input as a user would paste them), {@code {instruction}},
 * {@code {input}}, {@code {answer}} (the dataset's reference answer), {@code {candidate}} (an answer to grade),
 * {@code {language}} (English name of the target language), {@code {language_native}}; {@code [[a|b|c]]} picks one
 * alternative at random per request (synonym swaps, paraphrases); {@code {?input}...{/input}} keeps its content only
 * when the slot is non-empty. Any other {@code {name}} (e.g. from a FLAN template) is an alias of {@code {prompt}}.
 */
public final class Template {
  public static final int PROMPT = 0;
  public static final int INSTRUCTION = 1;
  public static final int INPUT = 2;
  public static final int ANSWER = 3;
  public static final int CANDIDATE = 4;
  public static final int LANGUAGE = 5;
  public static final int LANGUAGE_NATIVE = 6;
  static final String[] SLOT_NAMES = {"prompt", "instruction", "input", "answer", "candidate", "language",
      "language_native"};

  private static final int LITERAL = 0;
  private static final int SLOT = 1;
  private static final int CHOICE = 2;
  private static final int IF = 3;
  private static final int END = 4;

  private final String source;
  private final String id;
  private final int[] kind;
  private final int[] arg;
  private final String[] literal;
  private final String[][] choices;
  private final int sizeHint;
  private final long variants;

  /** Values of the slots for one rendering. */
  public static final class Fill {
    final String[] values = new String[SLOT_NAMES.length];

    public Fill set(int slot, String value) {
      values[slot] = value == null ? "" : value;
      return this;
    }

    public Fill clear() {
      java.util.Arrays.fill(values, "");
      return this;
    }

    public Fill() {
      clear();
    }
  }

  private Template(String id, String source, int[] kind, int[] arg, String[] literal, String[][] choices,
      long variants) {
    this.id = id;
    this.source = source;
    this.kind = kind;
    this.arg = arg;
    this.literal = literal;
    this.choices = choices;
    int hint = 0;
    for (int i = 0; i < kind.length; i++) {
      if (kind[i] == LITERAL) {
        hint += literal[i].length();
      } else if (kind[i] == CHOICE) {
        hint += choices[i][0].length();
      }
    }
    this.sizeHint = hint;
    this.variants = variants;
  }

  /** Compiles a template; {@link IllegalArgumentException} on unbalanced markers. */
  public static Template compile(String id, String source) {
    List<Integer> kinds = new ArrayList<>();
    List<Integer> args = new ArrayList<>();
    List<String> literals = new ArrayList<>();
    List<String[]> choiceList = new ArrayList<>();
    List<Integer> openIfs = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    long variants = 1;
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '{') {
        int close = source.indexOf('}', i + 1);
        String name = close > i + 1 ? source.substring(i + 1, close) : "";
        if (close < 0 || !isName(name)) {
          lit.append(c);
          i++;
          continue;
        }
        flush(lit, kinds, args, literals, choiceList);
        if (name.startsWith("?")) {
          kinds.add(IF);
          args.add(slot(name.substring(1)));
          literals.add(null);
          choiceList.add(null);
          openIfs.add(kinds.size() - 1);
        } else if (name.startsWith("/")) {
          if (openIfs.isEmpty()) {
            throw new IllegalArgumentException("template " + id + ": {" + name + "} without {?...}");
          }
          int open = openIfs.remove(openIfs.size() - 1);
          kinds.add(END);
          args.add(-1);
          literals.add(null);
          choiceList.add(null);
          args.set(open, args.get(open) * 10_000 + kinds.size()); // slot*10000 + index after END
        } else {
          kinds.add(SLOT);
          args.add(slot(name));
          literals.add(null);
          choiceList.add(null);
        }
        i = close + 1;
      } else if (c == '[' && i + 1 < n && source.charAt(i + 1) == '[') {
        int close = source.indexOf("]]", i + 2);
        if (close < 0) {
          throw new IllegalArgumentException("template " + id + ": [[ without ]]");
        }
        flush(lit, kinds, args, literals, choiceList);
        String[] alts = split(source.substring(i + 2, close));
        variants = variants * alts.length > 1_000_000_000L ? 1_000_000_000L : variants * alts.length;
        kinds.add(CHOICE);
        args.add(-1);
        literals.add(null);
        choiceList.add(alts);
        i = close + 2;
      } else {
        lit.append(c);
        i++;
      }
    }
    flush(lit, kinds, args, literals, choiceList);
    if (!openIfs.isEmpty()) {
      throw new IllegalArgumentException("template " + id + ": {?...} without {/...}");
    }
    int[] k = new int[kinds.size()];
    int[] a = new int[kinds.size()];
    for (int j = 0; j < k.length; j++) {
      k[j] = kinds.get(j);
      a[j] = args.get(j);
    }
    return new Template(id, source, k, a, literals.toArray(new String[0]), choiceList.toArray(new String[0][]),
        variants);
  }

  private static boolean isName(String s) {
    if (s.isEmpty() || s.length() > 40) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '_' || (i == 0 && (c == '?' || c == '/')))) {
        return false;
      }
    }
    return true;
  }

  private static String[] split(String alts) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= alts.length(); i++) {
      if (i == alts.length() || alts.charAt(i) == '|') {
        out.add(alts.substring(start, i));
        start = i + 1;
      }
    }
    return out.toArray(new String[0]);
  }

  private static int slot(String name) {
    for (int s = 0; s < SLOT_NAMES.length; s++) {
      if (SLOT_NAMES[s].equals(name)) {
        return s;
      }
    }
    return PROMPT; // FLAN-style placeholders ({text}, {question}, ...) take the prompt
  }

  private static void flush(StringBuilder lit, List<Integer> kinds, List<Integer> args, List<String> literals,
      List<String[]> choiceList) {
    if (lit.length() > 0) {
      kinds.add(LITERAL);
      args.add(-1);
      literals.add(lit.toString());
      choiceList.add(null);
      lit.setLength(0);
    }
  }

  public String id() {
    return id;
  }

  public String source() {
    return source;
  }

  /** How many distinct wordings the alternatives allow (capped at 10^9). */
  public long variants() {
    return variants;
  }

  /** Whether the template uses a slot. */
  public boolean uses(int slot) {
    for (int i = 0; i < kind.length; i++) {
      if ((kind[i] == SLOT && arg[i] == slot) || (kind[i] == IF && arg[i] / 10_000 == slot)) {
        return true;
      }
    }
    return false;
  }

  public String render(Fill fill, SplittableRandom rng) {
    StringBuilder sb = new StringBuilder(sizeHint + 64 + fill.values[PROMPT].length());
    int i = 0;
    while (i < kind.length) {
      switch (kind[i]) {
        case LITERAL:
          sb.append(literal[i]);
          break;
        case SLOT:
          sb.append(fill.values[arg[i]]);
          break;
        case CHOICE:
          String[] alts = choices[i];
          sb.append(alts[rng.nextInt(alts.length)]);
          break;
        case IF:
          if (fill.values[arg[i] / 10_000].isEmpty()) {
            i = arg[i] % 10_000;
            continue;
          }
          break;
        default:
          break;
      }
      i++;
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return id;
  }
}
