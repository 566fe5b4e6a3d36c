package io.distillguard.app;

import io.distillguard.provenance.student.NgramStudent;
import io.distillguard.provenance.student.StudentModel;
import io.distillguard.provenance.student.StudentServer;
import io.distillguard.provenance.student.SynonymEditor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The attacker's model: train a student on harvested pairs, serve it like any suspect model. */
@Command(name = "student", mixinStandardHelpOptions = true,
    description = "Train a distilled student (word trigram, Kneser-Ney, prompt-conditioned) and serve it.",
    subcommands = {StudentCommand.Train.class, StudentCommand.Serve.class})
public final class StudentCommand implements Runnable {
  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(name = "train", mixinStandardHelpOptions = true,
      description = "Train on harvested JSONL (the harvest format, or prompt/response lines); several files mix.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--data", required = true, split = ",", paramLabel = "FILE",
        description = "harvested JSONL files (.gz accepted); repeat or comma-separate to mix sources")
    List<Path> data;

    @Option(names = "--max", paramLabel = "N", description = "use at most N pairs from each file")
    Integer max;

    @Option(names = "--synonym-edit", paramLabel = "SHARE", defaultValue = "0",
        description = "replace this share of the answers' words by random WordNet synonyms first (an attack)")
    double synonymEdit;

    @Option(names = "--seed", defaultValue = "1") long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "the model file to write")
    Path out;

    @Override
    public Integer call() throws Exception {
      long t0 = System.nanoTime();
      List<StudentModel.Pair> pairs = new ArrayList<>();
      for (Path f : data) {
        List<StudentModel.Pair> p = StudentModel.readPairs(f);
        if (max != null && p.size() > max) {
          p = p.subList(0, max);
        }
        System.out.printf(Locale.ROOT, "%s: %d pairs%n", f, p.size());
        pairs.addAll(p);
      }
      UnaryOperator<String> rewrite = UnaryOperator.identity();
      if (synonymEdit > 0) {
        SynonymEditor editor = SynonymEditor.load().calibrated(
            pairs.stream().limit(2000).map(StudentModel.Pair::answer).toList());
        SplittableRandom r = new SplittableRandom(seed);
        rewrite = a -> editor.edit(a, synonymEdit, r);
        System.out.printf(Locale.ROOT, "synonym edit: %.0f%% of words replaced before training%n",
            100 * synonymEdit);
      }
      NgramStudent s = StudentModel.train(pairs, rewrite);
      StudentModel.save(s, out);
      System.out.printf(Locale.ROOT, "trained on %d pairs: vocabulary %d, trigram histories %d, in %.1f s -> %s%n",
          s.examples(), s.vocabulary().size(), s.trigrams(), (System.nanoTime() - t0) / 1e9, out);
      return 0;
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true,
      description = "Serve a student on an OpenAI-compatible endpoint until interrupted.")
  static final class Serve implements Callable<Integer> {
    @Option(names = "--model-file", required = true, paramLabel = "FILE") Path modelFile;
    @Option(names = "--model", defaultValue = "student", description = "model name it answers to") String model;
    @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    @Option(names = "--port", defaultValue = "9090") int port;
    @Option(names = "--seed", defaultValue = "1", description = "sampling seed when a request gives none")
    long seed;

    @Override
    public Integer call() throws Exception {
      NgramStudent s = StudentModel.load(modelFile);
      try (StudentServer server = StudentServer.start(s, model, host, port, seed)) {
        System.out.printf(Locale.ROOT, "student '%s' (%d examples) on http://%s:%d/v1%n", model, s.examples(), host,
            server.port());
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
      return 0;
    }
  }
}
