package io.distillguard.provenance.detect;

import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.text.ProseScanner;
import io.distillguard.provenance.text.WordWalker;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The (context, variant set, variant) events of a text, a batch of texts or a whole probe run, each distinct event
 * counted once.
 *
 * <p>De-duplication is what makes the test valid: a model repeats phrases, and a repeated bigram is one draw of
 * the key's choice, not many. Counting repeats would let any text that happens to repeat a key-consistent phrase
 * look watermarked. Once each (context, set) pair is a separate input to the keyed function, the hits of a text
 * written without the key are independent with known probabilities (see {@link KeyedTest}). The same (context, set)
 * seen with two different variants gives two events, of which at most one can hit: that only makes the test more
 * conservative.
 */
public final class ScoredEvents {
  private final Lexicon lexicon;
  private final Set<Event> seen = new HashSet<>();
  private final List<Event> events = new ArrayList<>();
  private long occurrences;
  private long words;
  private int texts;

  /** One distinct scored event. */
  public record Event(String context, int set, int variant, int size) {}

  public ScoredEvents(Lexicon lexicon) {
    this.lexicon = lexicon;
  }

  public static ScoredEvents of(Lexicon lexicon, Iterable<String> texts) {
    ScoredEvents e = new ScoredEvents(lexicon);
    for (String t : texts) {
      e.add(t);
    }
    return e;
  }

  /** Adds the events of one more text (its context starts afresh). */
  public ScoredEvents add(String text) {
    WordWalker walker = new WordWalker(lexicon, (context, entry) -> {
      occurrences++;
      Event ev = new Event(context, entry.set().id(), entry.variant(), entry.set().size());
      if (seen.add(ev)) {
        events.add(ev);
      }
      return entry.variant();
    }, null);
    ProseScanner scanner = new ProseScanner(walker);
    scanner.push(text);
    scanner.finish();
    words += walker.words();
    texts++;
    return this;
  }

  public List<Event> events() {
    return events;
  }

  /** Lexicon words seen, repeats included. */
  public long occurrences() {
    return occurrences;
  }

  public long words() {
    return words;
  }

  public int texts() {
    return texts;
  }

  public Lexicon lexicon() {
    return lexicon;
  }
}
