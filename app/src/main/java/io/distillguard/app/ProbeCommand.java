package io.distillguard.app;

import io.distillguard.gateway.admin.AdminToken;
import io.distillguard.gateway.provenance.WatermarkSecret;
import io.distillguard.provenance.detect.KeyScore;
import io.distillguard.provenance.probe.Evidence;
import io.distillguard.provenance.probe.KeyDirectory;
import io.distillguard.provenance.probe.ProbeTarget;
import io.distillguard.provenance.student.StudentModel;
import io.distillguard.sim.harvest.PromptFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Queries a suspect model and tests its answers for the watermark of every account (docs/provenance.md).
 * Account keys are rebuilt from the gateway's master secret and the account ids the admin API lists.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
    description = "Probe a suspect model (or score a file of texts) for the gateway's watermark; write evidence.")
public final class ProbeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--target", paramLabel = "URL", description = "the suspect's OpenAI-compatible base URL")
  String target;

  @Option(names = "--model", paramLabel = "M", description = "model name to ask for") String model;

  @Option(names = "--api-key", paramLabel = "K", description = "bearer key for the suspect endpoint") String apiKey;

  @Option(names = "--prompts", paramLabel = "FILE", description = "probe prompts (JSONL or text, as for harvest)")
  Path prompts;

  @Option(names = "--texts", paramLabel = "FILE",
      description = "score these answers instead of querying (harvest JSONL or prompt/response lines)")
  Path texts;

  @Option(names = "--reference", paramLabel = "FILE", split = ",",
      description = "unwatermarked answers of the teacher (JSONL pairs, as 'watermark reference' or harvest write; "
          + "several files allowed), best many to the same probe prompts: each (context, set) pair is measured "
          + "against the teacher's own choice there")
  List<Path> reference;

  @Option(names = "--save-texts", paramLabel = "FILE",
      description = "also write the suspect's answers (prompt/response JSONL, in request order) so they can be "
          + "scored again with --texts")
  Path saveTexts;
  @Option(names = "--max", defaultValue = "1000", paramLabel = "N", description = "prompts sent at most") int max;
  @Option(names = "--max-tokens", defaultValue = "256") int maxTokens;
  @Option(names = "--samples", defaultValue = "1", paramLabel = "N",
      description = "answers asked per prompt (different seeds): more distinct word choices from the same prompts")
  int samples;
  @Option(names = "--concurrency", defaultValue = "4") int concurrency;
  @Option(names = "--seed", defaultValue = "1") long seed;

  @Option(names = "--admin", paramLabel = "URL", description = "the gateway's admin API, to list account ids")
  String admin;

  @Option(names = "--admin-token", paramLabel = "T", description = "admin token (default $" + AdminToken.ENV + ")")
  String adminToken;

  @Option(names = "--accounts", paramLabel = "FILE", description = "account ids, one a line (instead of --admin)")
  Path accounts;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "the gateway's watermark secret (default $" + WatermarkSecret.ENV + ", else "
          + "<data-dir>/watermark-secret)")
  Path secretFile;

  @Option(names = "--data-dir", defaultValue = "dg-data", paramLabel = "DIR") Path dataDir;

  @Option(names = "--strength", defaultValue = "0.8",
      description = "the gateway's lowest watermark strength (pairs a key selects at it are scored)")
  double strength;

  @Option(names = "--null-keys", defaultValue = "200", description = "unused keys scored as a null control")
  int nullKeys;

  @Option(names = "--out", defaultValue = "evidence", paramLabel = "DIR") Path out;

  @Override
  public Integer call() throws Exception {
    if ((target == null) == (texts == null)) {
      throw new IllegalArgumentException("give --target URL (with --model and --prompts) or --texts FILE");
    }
    byte[] master = secretFile != null ? WatermarkSecret.read(secretFile)
        : System.getenv(WatermarkSecret.ENV) != null
            ? System.getenv(WatermarkSecret.ENV).trim().getBytes(StandardCharsets.UTF_8)
            : WatermarkSecret.read(dataDir.resolve(WatermarkSecret.FILE));
    Map<String, String> ids = new LinkedHashMap<>();
    if (accounts != null) {
      for (String l : Files.readAllLines(accounts)) {
        if (!l.isBlank() && !l.startsWith("#")) {
          ids.put(l.trim(), null);
        }
      }
    } else if (admin != null) {
      String token = adminToken != null ? adminToken : System.getenv(AdminToken.ENV);
      if (token == null) {
        token = Files.readString(dataDir.resolve(AdminToken.FILE)).trim();
      }
      ids.putAll(KeyDirectory.accounts(admin, token));
    }
    List<KeyDirectory.Entry> keys = KeyDirectory.of(master, ids);
    Map<String, Object> facts = new LinkedHashMap<>();
    List<String> answers;
    long t0 = System.nanoTime();
    if (texts != null) {
      answers = new ArrayList<>();
      for (StudentModel.Pair p : StudentModel.readPairs(texts)) {
        answers.add(p.answer());
      }
      if (answers.size() > max) {
        answers = answers.subList(0, max);
      }
      facts.put("source", texts.toString());
    } else {
      if (model == null || prompts == null) {
        throw new IllegalArgumentException("--target needs --model and --prompts");
      }
      List<String> ps = PromptFiles.read(prompts);
      if (ps.size() > max) {
        ps = ps.subList(0, max);
      }
      List<String> asked = new ArrayList<>();
      for (int i = 0; i < Math.max(1, samples); i++) {
        asked.addAll(ps);
      }
      ProbeTarget.Answers a = new ProbeTarget(target, model, apiKey, concurrency).ask(asked, maxTokens, seed);
      answers = a.texts();
      if (saveTexts != null) {
        ReferenceFiles.write(saveTexts, asked, answers);
      }
      facts.put("target", target);
      facts.put("model", model);
      facts.put("prompts", ps.size());
      facts.put("answers per prompt", Math.max(1, samples));
      facts.put("failed requests", a.failed());
    }
    facts.put("accounts listed", ids.size());
    List<String> referenceTexts = null;
    if (reference != null) {
      referenceTexts = new ArrayList<>();
      for (Path file : reference) {
        int before = referenceTexts.size();
        for (StudentModel.Pair p : StudentModel.readPairs(file)) {
          referenceTexts.add(p.answer());
        }
        if (referenceTexts.size() == before) {
          throw new IllegalArgumentException("--reference " + file + " holds no answers");
        }
      }
      facts.put("reference answers", referenceTexts.size());
    }
    Evidence ev = Evidence.analyze("DistillGuard watermark evidence", answers, referenceTexts, keys, strength,
        nullKeys, facts, reproduce());
    ev.write(out, 20, 12);
    KeyScore top = ev.top();
    System.out.printf(Locale.ROOT, "%d texts, %d words, %d distinct scored events, %d keys tested in %.1f s%n",
        ev.events().texts(), ev.events().words(), ev.events().events().size(), ev.ranked().size(),
        (System.nanoTime() - t0) / 1e9);
    for (int i = 0; i < Math.min(5, ev.ranked().size()); i++) {
      KeyScore s = ev.ranked().get(i);
      System.out.printf(Locale.ROOT, "  %-32s events %5d hits %5d (null %.3f) z %7.2f log10 p %8.2f adjusted %8.2f%n",
          s.key(), s.events(), s.hits(), s.nullRate(), s.z(), s.log10P(), s.log10PAdjusted());
    }
    if (ev.nullControl() != null) {
      Evidence.NullControl n = ev.nullControl();
      System.out.printf(Locale.ROOT, "null control: %d unused keys, z mean %.2f sd %.2f max %.2f, %.1f%% p<0.01%n",
          n.keys(), n.meanZ(), n.sdZ(), n.maxZ(), 100 * n.fractionBelow01());
    }
    System.out.println(ev.verdict(top));
    System.out.println("evidence: " + out.resolve("evidence.html") + ", " + out.resolve("evidence.json"));
    return 0;
  }

  /** The command line as given, with secrets replaced by the variables that hold them. */
  private String reproduce() {
    List<String> args = spec.commandLine().getParseResult().originalArgs();
    StringBuilder sb = new StringBuilder("./distillguard probe");
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if ((a.equals("--admin-token") || a.equals("--api-key")) && i + 1 < args.size()) {
        sb.append(' ').append(a).append(" \"$").append(a.equals("--admin-token") ? AdminToken.ENV : "SUSPECT_API_KEY")
            .append('"');
        i++;
        continue;
      }
      sb.append(' ').append(a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return sb.toString();
  }
}
