package io.distillguard.provenance.lexicon;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The disjoint variant sets the watermark chooses among, and the index from each word to its set. A word belongs to
 * at most one set, so the detector can tell which choice a word in a suspect text was.
 */
public final class Lexicon {
  /** Largest set kept; a bigger synonym set is cut to its first words in order. */
  public static final int MAX_SET = 16;

  private final List<VariantSet> sets;
  private final Map<String, Entry> index;
  private final String version;
  private final java.util.NavigableSet<String> sorted;
  private final java.util.Set<String> pairFirsts;

  /** A word's set and its position in it. */
  public record Entry(VariantSet set, int variant) {}

  /**
   * @param groups  candidate sets in a deterministic order; a word already claimed by an earlier group is dropped
   *                from later ones (and so is a single word that starts an earlier two-word variant, or a two-word
   *                variant whose first word is an earlier single word), and groups left with fewer than two words
   *                are dropped
   * @param version names the lexicon (its sources and filters) in reports, since preferences depend on it
   */
  public static Lexicon of(List<Group> groups, String version) {
    List<VariantSet> sets = new ArrayList<>();
    Map<String, Entry> index = new HashMap<>();
    java.util.Set<String> firsts = new java.util.HashSet<>();
    for (Group g : groups) {
      List<String> words = new ArrayList<>();
      for (String w : g.words()) {
        int space = w.indexOf(' ');
        // One word never starts a two-word variant and stands alone too: the walker could not tell which it is.
        boolean clash = space < 0 ? firsts.contains(w) : index.containsKey(w.substring(0, space));
        if (!index.containsKey(w) && !words.contains(w) && !clash) {
          words.add(w);
        }
      }
      if (words.size() < 2) {
        continue;
      }
      if (words.size() > MAX_SET) {
        words = new ArrayList<>(words.subList(0, MAX_SET));
      }
      Collections.sort(words);
      VariantSet set = new VariantSet(sets.size(), words, g.source());
      sets.add(set);
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        index.put(w, new Entry(set, i));
        if (w.indexOf(' ') > 0) {
          firsts.add(w.substring(0, w.indexOf(' ')));
        }
      }
    }
    return new Lexicon(sets, index, firsts, version);
  }

  private static volatile Lexicon standard;

  /**
   * The shipped lexicon: the curated variants, then the WordNet 3.1 sets of {@link WordNetVariants} (read from the
   * resource it generated, so start-up does not walk WordNet).
   */
  public static Lexicon standard() {
    Lexicon l = standard;
    if (l == null) {
      synchronized (Lexicon.class) {
        l = standard;
        if (l == null) {
          List<Group> groups = new ArrayList<>(CuratedVariants.groups());
          groups.addAll(readResource(WORDNET_RESOURCE));
          standard = l = of(groups, "curated-v2+wordnet-3.1-v3");
        }
      }
    }
    return l;
  }

  static final String WORDNET_RESOURCE = "variants-wn31.txt";

  static List<Group> readResource(String name) {
    try (InputStream in = Lexicon.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource missing: " + name);
      }
      List<Group> out = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        int tab = line.indexOf('\t');
        if (tab > 0) {
          out.add(new Group(List.of(line.substring(tab + 1).split(" ")), line.substring(0, tab)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A candidate set before disjointness is enforced. */
  public record Group(List<String> words, String source) {}

  private Lexicon(List<VariantSet> sets, Map<String, Entry> index, java.util.Set<String> pairFirsts,
      String version) {
    this.sets = List.copyOf(sets);
    this.index = Map.copyOf(index);
    this.pairFirsts = java.util.Set.copyOf(pairFirsts);
    this.version = version;
    this.sorted = new java.util.TreeSet<>(index.keySet());
  }

  /**
   * Whether some variant of the lexicon starts with {@code prefix} (lowercase, apostrophes as {@code '}); a prefix
   * may run into a two-word variant ("does n" for "does not").
   */
  public boolean hasPrefix(String prefix) {
    String next = sorted.ceiling(prefix);
    return next != null && next.startsWith(prefix);
  }

  /** The set of a lowercase word (apostrophes as {@code '}), or null when the watermark never touches it. */
  public Entry lookup(String word) {
    return index.get(word);
  }

  /** Whether {@code word} is the first word of a two-word variant ("does" of "does not"). */
  public boolean startsPair(String word) {
    return pairFirsts.contains(word);
  }

  /** The set of the two-word variant {@code first second}, or null. */
  public Entry lookupPair(String first, String second) {
    return pairFirsts.contains(first) ? index.get(first + " " + second) : null;
  }

  public List<VariantSet> sets() {
    return sets;
  }

  /** Variants of all sets (a two-word variant counts once). */
  public int words() {
    return index.size();
  }

  public String version() {
    return version;
  }
}
