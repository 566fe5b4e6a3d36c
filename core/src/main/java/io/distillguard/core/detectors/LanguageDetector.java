package io.distillguard.core.detectors;

import io.distillguard.core.Exchange;
import io.distillguard.core.detect.Detector;
import io.distillguard.core.detect.Signal;
import io.distillguard.core.text.Lexicons;
import io.distillguard.core.text.TextFeatures;

/**
 * Languages per account: people write in one or two languages; a multilingual sweep sends the same tasks in many.
 * A language counts once it carries at least three prompts, so a stray foreign phrase does not.
 */
public final class LanguageDetector implements Detector<LanguageDetector.State> {
  public static final String NAME = "languages";
  private static final int MIN_PROMPTS = 3;

  public static final class State {
    final short[] counts = new short[Lexicons.LANGUAGES.length];
    long prompts;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public State newState() {
    return new State();
  }

  @Override
  public void observe(State s, Exchange e) {
    if (!e.endpoint().endsWith("completions")) {
      return;
    }
    int lang = TextFeatures.of(e).language;
    if (lang >= 0) {
      s.prompts++;
      if (s.counts[lang] < Short.MAX_VALUE) {
        s.counts[lang]++;
      }
    }
  }

  @Override
  public Signal evaluate(State s) {
    int languages = 0;
    StringBuilder which = new StringBuilder();
    for (int i = 0; i < s.counts.length; i++) {
      if (s.counts[i] >= MIN_PROMPTS) {
        languages++;
        if (which.length() > 0) {
          which.append(", ");
        }
        which.append(Lexicons.LANGUAGES[i]);
      }
    }
    if (languages <= 1) {
      return new Signal(NAME, 0, s.prompts, languages + " language");
    }
    double v = Suspicion.ramp(languages, 2, 5);
    return new Signal(NAME, v, s.prompts, languages + " languages (" + which + ") across " + s.prompts + " prompts");
  }
}
