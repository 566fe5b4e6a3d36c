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

  /** A word's set and its position in it. */
  public record Entry(VariantSet set, int variant) {}

  /**
   * @param groups  candidate sets in a deterministic order; a word already claimed by an earlier group is dropped
   *                from later ones, and groups left with fewer than two words are dropped
   * @param version names the lexicon (its sources and filters) in reports, since preferences depend on it
   */
  public static Lexicon of(List<Group> groups, String version) {
    List<VariantSet> sets = new ArrayList<>();
    Map<String, Entry> index = new HashMap<>();
    for (Group g : groups) {
      List<String> words = new ArrayList<>();
      for (String w : g.words()) {
        if (!index.containsKey(w) && !words.contains(w)) {
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
        index.put(words.get(i), new Entry(set, i));
      }
    }
    return new Lexicon(sets, index, version);
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
          standard = l = of(groups, "curated-v1+wordnet-3.1-v2");
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

  private Lexicon(List<VariantSet> sets, Map<String, Entry> index, String version) {
    this.sets = List.copyOf(sets);
    this.index = Map.copyOf(index);
    this.version = version;
    this.sorted = new java.util.TreeSet<>(index.keySet());
  }

  /** Whether some word of the lexicon starts with {@code prefix} (lowercase). */
  public boolean hasPrefix(String prefix) {
    String next = sorted.ceiling(prefix);
    return next != null && next.startsWith(prefix);
  }

  /** The set of a lowercase word, or null when the watermark never touches it. */
  public Entry lookup(String word) {
    return index.get(word);
  }

  public List<VariantSet> sets() {
    return sets;
  }

  public int words() {
    return index.size();
  }

  public String version() {
    return version;
  }
}
