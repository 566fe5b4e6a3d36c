package io.distillguard.provenance.student;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * The light-editing attack: replaces a given share of the words of a text by random WordNet synonyms (any sense,
 * any part of speech — an attacker paraphrasing cheaply does not disambiguate), to test whether the watermark
 * survives it. Words without a single-word synonym are never picked, and the rate is adjusted so that the share of
 * all words replaced is the one asked for.
 */
public final class SynonymEditor {
  private final Map<String, String[]> synonyms;
  private final double eligibleShare;

  private SynonymEditor(Map<String, String[]> synonyms, double eligibleShare) {
    this.synonyms = synonyms;
    this.eligibleShare = eligibleShare;
  }

  /** Loads every lowercase single-word lemma's synonyms from WordNet 3.1 (takes some seconds). */
  public static SynonymEditor load() {
    try {
      Dictionary d = Dictionary.getDefaultResourceInstance();
      Map<String, TreeSet<String>> m = new HashMap<>();
      for (POS pos : POS.getAllPOS()) {
        Iterator<IndexWord> it = d.getIndexWordIterator(pos);
        while (it.hasNext()) {
          IndexWord iw = it.next();
          String lemma = iw.getLemma();
          if (!lemma.matches("[a-z]+")) {
            continue;
          }
          for (Synset s : iw.getSenses()) {
            for (Word w : s.getWords()) {
              String o = w.getLemma();
              if (o.matches("[a-z]+") && !o.equals(lemma)) {
                m.computeIfAbsent(lemma, k -> new TreeSet<>()).add(o);
              }
            }
          }
        }
      }
      d.close();
      Map<String, String[]> out = new HashMap<>();
      m.forEach((k, v) -> out.put(k, v.toArray(String[]::new)));
      return new SynonymEditor(out, 1.0);
    } catch (JWNLException e) {
      throw new IllegalStateException("WordNet 3.1 could not be read from the class path", e);
    }
  }

  /** This editor calibrated on a sample: the share of word tokens that have a synonym. */
  public SynonymEditor calibrated(List<String> sample) {
    long words = 0;
    long eligible = 0;
    for (String t : sample) {
      for (String tok : WordTokens.split(t)) {
        if (Character.isLetter(tok.charAt(0))) {
          words++;
          if (synonyms.containsKey(tok.toLowerCase(Locale.ROOT))) {
            eligible++;
          }
        }
      }
    }
    return new SynonymEditor(synonyms, words == 0 ? 1 : (double) eligible / words);
  }

  /** Replaces about {@code share} of the words of {@code text} (tokens re-joined with prose spacing). */
  public String edit(String text, double share, SplittableRandom r) {
    double p = Math.min(1, share / eligibleShare);
    List<String> tokens = WordTokens.split(text);
    List<String> out = new ArrayList<>(tokens.size());
    for (String t : tokens) {
      String[] syn = synonyms.get(t);
      if (syn == null && !t.isEmpty() && Character.isUpperCase(t.charAt(0))) {
        syn = null; // names and sentence starts are left alone, as a careful paraphraser would
      }
      out.add(syn != null && r.nextDouble() < p ? syn[r.nextInt(syn.length)] : t);
    }
    return WordTokens.join(out);
  }
}
