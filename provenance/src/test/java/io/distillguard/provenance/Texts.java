package io.distillguard.provenance;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.lexicon.VariantSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Synthetic prose for tests: filler words with lexicon words in random contexts and random variants. */
public final class Texts {
  private static final String[] FILLER = ("the a of and to in it is was for on with as by at from this we you they "
      + "he she had have be are were will can one all would there their what so up out if about who get which go me "
      + "when make like time no just him know take people into year your good some could them see other than then "
      + "now look only come its over think also back after use two how our work first well way even new want because "
      + "any these give day most us house garden river report plan table").split(" ");

  private Texts() {}

  /** {@code n} texts of about {@code words} words each, a fifth of them lexicon words. */
  public static List<String> random(Lexicon lexicon, int n, int words, long seed) {
    Random r = new Random(seed);
    List<VariantSet> sets = lexicon.sets();
    List<String> out = new ArrayList<>(n);
    for (int t = 0; t < n; t++) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < words; i++) {
        String w;
        if (r.nextInt(5) == 0) {
          VariantSet s = sets.get(r.nextInt(sets.size()));
          w = s.variant(r.nextInt(s.size()));
        } else {
          w = FILLER[r.nextInt(FILLER.length)];
        }
        sb.append(w);
        int p = r.nextInt(12);
        sb.append(p == 0 ? ". " : p == 1 ? ", " : " ");
      }
      out.add(sb.toString().trim());
    }
    return out;
  }
}
