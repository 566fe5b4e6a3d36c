package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.gateway.config.GatewayConfig;
import io.distillguard.sim.Label;
import io.distillguard.sim.SimAccount;
import io.distillguard.sim.http.AdminClient;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard distill harvest} against a gateway in front of the builtin upstream; bad input. */
class DistillCommandTest {
  @TempDir static Path shared;
  static Node node;
  static AdminClient admin;

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @BeforeAll
  static void start() {
    GatewayConfig c = new GatewayConfig();
    c.dataDir = shared.resolve("gw").toString();
    c.server.port = 0;
    c.admin.port = 0;
    c.admin.token = "distill-test-token-0123456789";
    node = Node.start(c, null);
    admin = new AdminClient(HttpClient.newHttpClient(), node.adminUrl(), c.admin.token);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String key(String account) {
    admin.createAccountAsync(new SimAccount(account, null, Map.of("tier", "default"), Label.BENIGN, Instant.EPOCH))
        .join();
    return admin.createKeyAsync(account).join();
  }

  @Test
  void harvestsFromAPromptFileAndADataset() throws Exception {
    Path keys = dir.resolve("keys.txt");
    Files.write(keys, List.of("# harvest keys", key("d1-a"), key("d1-b")));
    Path prompts = dir.resolve("prompts.jsonl");
    Files.writeString(prompts, "{\"prompt\": \"Explain recursion step by step.\"}\n"
        + "{\"prompt\": \"What is a monad?\"}\n{\"prompt\": \"Prove that sqrt(2) is irrational.\"}\n");
    Path pairs = dir.resolve("pairs.jsonl");

    int rc = Main.run("distill", "harvest", "--target", node.dataUrl() + "/v1", "--keys", keys.toString(),
        "--prompts", prompts.toString(), "--out", pairs.toString(), "--xff", "198.51.100.0/24",
        "--rotation", "random");
    assertThat(rc).as(cli.stderr()).isZero();
    assertThat(Files.readAllLines(pairs)).hasSize(3)
        .allSatisfy(l -> assertThat(l).startsWith("{\"messages\":[{\"role\":\"user\""));
    assertThat(cli.stdout()).contains("harvested 3 pairs").contains("prompts exhausted");

    rc = Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", key("d1-c"), "--dataset", "gsm8k",
        "--data", dir.toString(), "--max", "2", "--out", pairs.toString(), "--model", "builtin-small");
    assertThat(rc).as(cli.stderr()).isZero();
    assertThat(Files.readAllLines(pairs)).hasSize(5);
    assertThat(cli.stdout()).contains("max reached");
  }

  @Test
  void exitCode3WhenEveryKeyIsRefused() throws Exception {
    String k = key("d2-blocked");
    admin.setStatus("d2-blocked", "blocked", "test");
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "one\ntwo\n");
    int rc = Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", k, "--prompts",
        prompts.toString(), "--out", dir.resolve("o.jsonl").toString(), "--model", "builtin-small");
    assertThat(rc).isEqualTo(3);
    assertThat(cli.stdout()).contains("all keys dead").contains("1 dead");
  }

  @Test
  void badInputIsAClearErrorWithExitCode1() throws Exception {
    Path prompts = dir.resolve("p.txt");
    Files.writeString(prompts, "one\n");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--prompts", prompts.toString()))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("no API keys");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", "k")).isEqualTo(1);
    assertThat(cli.stderr()).contains("exactly one of --prompts FILE or --dataset NAME");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", "k", "--prompts",
        dir.resolve("missing.txt").toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("prompt file not found");
    assertThat(Main.run("distill", "harvest", "--target", "not a url", "--key", "k", "--prompts",
        prompts.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("bad --target URL");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", "k", "--dataset", "nope"))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("unknown dataset 'nope'");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--keys",
        dir.resolve("nokeys.txt").toString(), "--prompts", prompts.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("key file not found");
    assertThat(Main.run("distill", "harvest", "--target", node.dataUrl(), "--key", "k", "--prompts",
        prompts.toString(), "--xff", "somewhere")).isEqualTo(1);
    assertThat(cli.stderr()).contains("not a CIDR");
    assertThat(Main.run("distill")).isZero();
    assertThat(cli.stdout()).contains("harvest");
  }
}
