package io.distillguard.app;

import io.distillguard.detection.MiniLmEmbedder;
import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.detect.KeyedTest;
import io.distillguard.provenance.detect.ScoredEvents;
import io.distillguard.provenance.lexicon.Lexicon;
import io.distillguard.provenance.probe.ProbeTarget;
import io.distillguard.provenance.quality.QualityGuard;
import io.distillguard.provenance.student.StudentModel;
import io.distillguard.provenance.watermark.WatermarkKey;
import io.distillguard.provenance.watermark.Watermarker;
import io.distillguard.sim.harvest.PromptFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Measurements of the watermark itself: its cost to answers and the calibration of its test. */
@Command(name = "watermark", mixinStandardHelpOptions = true,
    description = "Measure the watermark: quality cost on answers, null calibration of the test; collect the "
        + "teacher's own answers to the probe prompts as a reference for probe --reference.",
    subcommands = {WatermarkCommand.Quality.class, WatermarkCommand.Calibrate.class,
        WatermarkCommand.Reference.class})
public final class WatermarkCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  static List<String> answers(Path file, int max) throws java.io.IOException {
    List<String> out = new ArrayList<>();
    for (StudentModel.Pair p : StudentModel.readPairs(file)) {
      if (out.size() >= max) {
        break;
      }
      out.add(p.answer());
    }
    return out;
  }

  @Command(name = "reference", mixinStandardHelpOptions = true,
      description = "Ask the teacher (the upstream, or a gateway that does not watermark) for its answers to the "
          + "probe prompts, several per prompt, and write them as a reference for probe --reference: the teacher's "
          + "own word choices in the contexts the suspect's answers will have.")
  static final class Reference implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "URL",
        description = "the teacher's OpenAI-compatible base URL, without the watermark") String target;
    @Option(names = "--model", required = true, paramLabel = "M") String model;
    @Option(names = "--api-key", paramLabel = "K", description = "bearer key for the teacher endpoint") String apiKey;
    @Option(names = "--prompts", required = true, paramLabel = "FILE",
        description = "the probe prompts (JSONL or text, as for harvest)") Path prompts;
    @Option(names = "--max", defaultValue = "1000", paramLabel = "N", description = "prompts at most") int max;
    @Option(names = "--choices", defaultValue = "16", paramLabel = "N",
        description = "answers per request (the chat API's n)") int choices;
    @Option(names = "--samples", defaultValue = "1", paramLabel = "N",
        description = "requests per prompt, with different seeds (for endpoints that return one choice)")
    int samples;
    @Option(names = "--max-tokens", defaultValue = "0", description = "max_tokens to ask for (0: the endpoint's)")
    int maxTokens;
    @Option(names = "--concurrency", defaultValue = "8") int concurrency;
    @Option(names = "--seed", defaultValue = "1") long seed;
    @Option(names = "--out", required = true, paramLabel = "FILE") Path out;

    @Override
    public Integer call() throws Exception {
      if (samples < 1 || choices < 1) {
        throw new IllegalArgumentException("--samples and --choices must be >= 1");
      }
      List<String> ps = PromptFiles.read(prompts);
      if (ps.size() > max) {
        ps = ps.subList(0, max);
      }
      List<String> asked = new ArrayList<>();
      for (int i = 0; i < samples; i++) {
        asked.addAll(ps);
      }
      long t0 = System.nanoTime();
      List<List<String>> got = new ProbeTarget(target, model, apiKey, concurrency)
          .askChoices(asked, maxTokens, seed, choices);
      List<String> promptOut = new ArrayList<>();
      List<String> answerOut = new ArrayList<>();
      int failed = 0;
      for (int i = 0; i < asked.size(); i++) {
        if (got.get(i) == null) {
          failed++;
          continue;
        }
        for (String a : got.get(i)) {
          if (!a.isBlank()) {
            promptOut.add(asked.get(i));
            answerOut.add(a);
          }
        }
      }
      ReferenceFiles.write(out, promptOut, answerOut);
      System.out.printf(Locale.ROOT, "%d answers to %d prompts (%d requests, %d failed) in %.1f s -> %s%n",
          answerOut.size(), ps.size(), asked.size(), failed, (System.nanoTime() - t0) / 1e9, out);
      if (answerOut.isEmpty()) {
        System.err.println("no answers: is " + target + " reachable and serving model " + model + "?");
        return 1;
      }
      return failed > 0 ? 2 : 0;
    }
  }

  @Command(name = "quality", mixinStandardHelpOptions = true,
      description = "Watermark unwatermarked answers and report words changed and meaning preservation "
          + "(all-MiniLM-L6-v2 cosine between original and watermarked).")
  static final class Quality implements Callable<Integer> {
    @Option(names = "--texts", required = true, paramLabel = "FILE") Path texts;
    @Option(names = "--max", defaultValue = "1000") int max;
    @Option(names = "--strength", defaultValue = "0.8") double strength;
    @Option(names = "--no-embeddings", description = "skip the cosine (words changed only)") boolean noEmbeddings;

    @Override
    public Integer call() throws Exception {
      List<String> originals = answers(texts, max);
      Watermarker m = new Watermarker(Lexicon.standard(), WatermarkKey.random(424242), strength);
      QualityGuard guard = new QualityGuard(noEmbeddings ? null : MiniLmEmbedder.shared()::embed);
      QualityGuard.Report r = guard.measure(originals, m);
      System.out.printf(Locale.ROOT, "texts %d, words %d, changed %d (%.2f%%), texts changed %d (%.1f%%)%n",
          r.texts(), r.words(), r.changed(), 100 * r.changedFraction(), r.changedTexts(),
          100.0 * r.changedTexts() / Math.max(1, r.texts()));
      if (!noEmbeddings) {
        System.out.printf(Locale.ROOT, "meaning preservation (cosine): mean %.4f, 5th percentile %.4f, min %.4f%n",
            r.meanCosine(), r.p05Cosine(), r.minCosine());
      }
      return 0;
    }
  }

  @Command(name = "calibrate", mixinStandardHelpOptions = true,
      description = "Null calibration: score unwatermarked texts, each under its own unused key, and report how "
          + "often p (and the mid-p-value) falls below 0.01 and 0.05 (about 1% and 5%; p below that for short "
          + "texts, whose statistic takes few values).")
  static final class Calibrate implements Callable<Integer> {
    @Option(names = "--texts", required = true, split = ",", paramLabel = "FILE") List<Path> texts;
    @Option(names = "--max", defaultValue = "1000", description = "texts per file") int max;
    @Option(names = "--strength", defaultValue = "0.8") double strength;
    @Option(names = "--min-events", defaultValue = "1", description = "ignore texts with fewer scored events")
    int minEvents;
    @Option(names = "--group", defaultValue = "1", description = "score groups of this many texts as one sample")
    int group;
    @Option(names = "--keys", defaultValue = "1",
        description = "unused keys per group (long groups give few samples; each key is one more null sample)")
    int keys;
    @Option(names = "--reference", paramLabel = "FILE", split = ",",
        description = "measure each group against these unwatermarked answers, as probe --reference does")
    List<Path> reference;

    @Override
    public Integer call() throws Exception {
      List<String> all = new ArrayList<>();
      for (Path f : texts) {
        all.addAll(answers(f, max));
      }
      KeyedTest test = new KeyedTest(strength);
      Lexicon lex = Lexicon.standard();
      ScoredEvents ref = null;
      if (reference != null) {
        ref = new ScoredEvents(lex);
        for (Path file : reference) {
          for (String a : answers(file, Integer.MAX_VALUE)) {
            ref.add(a);
          }
        }
      }
      int n = 0;
      int below01 = 0;
      int below05 = 0;
      int midBelow01 = 0;
      int midBelow05 = 0;
      double sz = 0;
      double sz2 = 0;
      long events = 0;
      for (int i = 0; i + group <= all.size(); i += group) {
        ScoredEvents ev = ScoredEvents.of(lex, all.subList(i, i + group)).against(ref);
        for (int j = 0; j < keys; j++) {
          KeyScore s = test.score(ev, WatermarkKey.random(1_000_000 + i * keys + j));
          if (s.events() < minEvents) {
            continue;
          }
          n++;
          events += s.events();
          below01 += s.p() < 0.01 ? 1 : 0;
          below05 += s.p() < 0.05 ? 1 : 0;
          midBelow01 += s.midP() < 0.01 ? 1 : 0;
          midBelow05 += s.midP() < 0.05 ? 1 : 0;
          sz += s.z();
          sz2 += s.z() * s.z();
        }
      }
      double mean = sz / Math.max(1, n);
      System.out.printf(Locale.ROOT, "samples %d (of %d texts, groups of %d, >= %d events), mean events %.1f%n", n,
          all.size(), group, minEvents, events / (double) Math.max(1, n));
      System.out.printf(Locale.ROOT, "p < 0.01: %d (%.2f%%), p < 0.05: %d (%.2f%%), z mean %.3f sd %.3f%n", below01,
          100.0 * below01 / Math.max(1, n), below05, 100.0 * below05 / Math.max(1, n), mean,
          Math.sqrt(Math.max(0, sz2 / Math.max(1, n) - mean * mean)));
      System.out.printf(Locale.ROOT, "mid-p < 0.01: %d (%.2f%%), mid-p < 0.05: %d (%.2f%%)%n", midBelow01,
          100.0 * midBelow01 / Math.max(1, n), midBelow05, 100.0 * midBelow05 / Math.max(1, n));
      return 0;
    }
  }
}
