package io.distillguard.app;

import io.distillguard.sim.harvest.Cidr;
import io.distillguard.sim.harvest.HarvestReport;
import io.distillguard.sim.harvest.Harvester;
import io.distillguard.sim.harvest.PromptFiles;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard distill}: the attacker's distillation pipeline, for red-teaming a defence. {@code harvest}
 * collects (prompt, answer) pairs from an OpenAI-compatible endpoint; training a student on them comes later.
 */
@Command(name = "distill", mixinStandardHelpOptions = true,
    description = {"The attacker's side: harvest a model's answers through its API as training data.",
        "Use only against endpoints you run or are authorised to test."},
    subcommands = {DistillCommand.Harvest.class})
final class DistillCommand implements Runnable {

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** {@code distillguard distill harvest}. */
  @Command(name = "harvest", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Send a prompt set to an OpenAI-compatible endpoint through many keys and keep every "
          + "(prompt, answer) pair as a fine-tuning example (JSONL, appended, one line per pair).",
          "Exit code 0 when the prompts or --max ran out, 3 when every key was refused (401/403), 1 on bad input."})
  static final class Harvest implements Callable<Integer> {
    @Option(names = "--target", required = true, paramLabel = "URL",
        description = "the endpoint, e.g. http://127.0.0.1:8080/v1 (/v1 is added when missing)")
    String target;

    @Option(names = "--keys", paramLabel = "FILE", description = "API keys, one a line (# comments allowed)")
    Path keysFile;

    @Option(names = "--key", paramLabel = "KEY", description = "an API key (repeatable)")
    List<String> keys = new ArrayList<>();

    @Option(names = "--prompts", paramLabel = "FILE",
        description = "prompts: JSONL with a 'prompt' field, or plain text one a line (.gz accepted)")
    Path prompts;

    @Option(names = "--dataset", paramLabel = "NAME", description = "prompts from a public dataset by name "
        + "(see 'distillguard datasets')")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "public datasets directory for --dataset")
    String data;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
        description = "requests in flight (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0", description = "stop after N pairs (0: no limit)")
    long max;

    @Option(names = "--model", paramLabel = "M", description = "model to ask (default: the first /v1/models lists)")
    String model;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "harvest.jsonl",
        description = "pairs are appended here (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--resume", description = "skip prompts the output file already holds")
    boolean resume;

    @Option(names = "--rotation", paramLabel = "round-robin|random", defaultValue = "round-robin",
        description = "key rotation (default ${DEFAULT-VALUE})")
    String rotation;

    @Option(names = "--xff", paramLabel = "CIDR", description = "present a random address of this network in "
        + "X-Forwarded-For (repeatable); only matters where the endpoint believes the header")
    List<String> xff = new ArrayList<>();

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
        description = "attempts per prompt on 5xx answers and timeouts (default ${DEFAULT-VALUE})")
    int retries;

    @Option(names = "--max-tokens", paramLabel = "N", description = "max_tokens to ask for")
    Integer maxTokens;

    @Option(names = "--temperature", paramLabel = "T", description = "sampling temperature to ask for")
    Double temperature;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "seed of random rotation and "
        + "addresses (default ${DEFAULT-VALUE})")
    long seed;

    private final PrintStream stdout = System.out;

    @Override
    public Integer call() {
      List<String> allKeys = new ArrayList<>(keys);
      if (keysFile != null) {
        allKeys.addAll(Harvester.readKeys(keysFile));
      }
      if (allKeys.isEmpty()) {
        throw new IllegalArgumentException("no API keys: give --key KEY (repeatable) or --keys FILE");
      }
      if ((prompts == null) == (dataset == null)) {
        throw new IllegalArgumentException("give exactly one of --prompts FILE or --dataset NAME");
      }
      boolean random = switch (rotation) {
        case "round-robin", "roundrobin", "rr" -> false;
        case "random" -> true;
        default -> throw new IllegalArgumentException("--rotation: expected round-robin or random, got '"
            + rotation + "'");
      };
      List<Cidr> networks = new ArrayList<>();
      for (String c : xff) {
        networks.add(Cidr.parse(c));
      }
      List<String> set;
      if (prompts != null) {
        set = PromptFiles.read(prompts);
      } else {
        if (data != null && !data.isBlank() && !Files.isDirectory(Path.of(data))) {
          throw new IllegalArgumentException("--data: not a directory: " + data);
        }
        set = PromptFiles.dataset(io.distillguard.sim.data.DataSets.load(DataSets.locate(data)), dataset);
      }
      Harvester h = new Harvester(new Harvester.Options().target(target).keys(allKeys).concurrency(concurrency)
          .max(max).model(model).out(out).resume(resume).randomRotation(random).seed(seed).forwardedFor(networks)
          .maxAttempts(retries).maxTokens(maxTokens).temperature(temperature));
      stdout.println("Harvesting " + set.size() + " prompts from " + target + " through " + allKeys.size()
          + " key(s), " + concurrency + " in flight -> " + out);
      // Ctrl-C: stop the workers, print what was harvested, then let the JVM exit.
      CountDownLatch printed = new CountDownLatch(1);
      Thread hook = new Thread(() -> {
        h.stop();
        try {
          printed.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "harvest-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      HarvestReport r;
      try {
        r = h.run(set);
        stdout.print(r.render());
        stdout.flush();
      } finally {
        printed.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
      return r.stopReason() == Harvester.StopReason.ALL_KEYS_DEAD ? 3 : 0;
    }
  }
}
