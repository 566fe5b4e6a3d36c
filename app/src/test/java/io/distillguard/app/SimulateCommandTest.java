package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillguard.gateway.config.GatewayConfig;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillguard simulate}: against an in-process gateway (--local) and a running one; bad input. */
class SimulateCommandTest {
  static final String TINY = """
      name: tiny
      seed: 3
      start: 2025-03-03T08:00:00Z
      duration: 2h
      data: {split: tuning}
      population:
        accounts: 20
        heavy: {batch_eval: 0, integration: 0, researcher: 0, licensed_distiller: 0}
      campaigns:
        - id: naive-1
          strategy: naive
          start: 10m
          accounts: 1
          prompts: 40
          params: {rate: 6/min}
      """;

  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  private Path tiny() throws Exception {
    Path f = dir.resolve("tiny.yaml");
    Files.writeString(f, TINY);
    return f;
  }

  @Test
  void localRunsAGatewayInProcessAndPrintsTheSummaryPerClass() throws Exception {
    Path records = dir.resolve("records.jsonl");
    int rc = Main.run("simulate", "--scenario", tiny().toString(), "--local", "--data", dir.toString(), "--out",
        records.toString(), "--concurrency", "8");
    assertThat(rc).as(cli.stderr()).isZero();
    assertThat(cli.stdout()).contains("Started a local gateway in replay mode").contains("requests:")
        .contains("benign").contains("campaign").contains("accounts by status at the end");
    assertThat(Files.readAllLines(records)).isNotEmpty().allSatisfy(l -> assertThat(l).contains("\"label\""));
  }

  @Test
  void runsAgainstARunningGatewayAndRejectsAWrongToken() throws Exception {
    GatewayConfig c = new GatewayConfig();
    c.dataDir = dir.resolve("gw").toString();
    c.server.port = 0;
    c.admin.port = 0;
    c.replay = true;
    c.admin.token = "simulate-test-token-0123456789";
    try (Node node = Node.start(c, null)) {
      int rc = Main.run("simulate", "--scenario", tiny().toString(), "--target", node.dataUrl(), "--admin",
          node.adminUrl(), "--admin-token", c.admin.token, "--replay-headers", "--duration", "1h");
      assertThat(rc).as(cli.stderr()).isZero();
      assertThat(cli.stdout()).contains("with replay headers").contains("requests:");

      rc = Main.run("simulate", "--scenario", tiny().toString(), "--target", node.dataUrl(), "--admin",
          node.adminUrl(), "--admin-token", "not-the-token");
      assertThat(rc).isEqualTo(1);
      assertThat(cli.stderr()).contains("rejected the admin token");
    }
  }

  @Test
  void badInputIsAClearErrorWithExitCode1() throws Exception {
    assertThat(Main.run("simulate", "--scenario", dir.resolve("nope.yaml").toString(), "--local")).isEqualTo(1);
    assertThat(cli.stderr()).contains("scenario file not found").contains("nope.yaml");

    assertThat(Main.run("simulate", "--scenario", tiny().toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("--target and --admin are required");

    assertThat(Main.run("simulate", "--scenario", tiny().toString(), "--target", "gateway:8080", "--admin",
        "http://127.0.0.1:1", "--admin-token", "t")).isEqualTo(1);
    assertThat(cli.stderr()).contains("bad --target URL");

    int closed;
    try (ServerSocket ss = new ServerSocket(0)) {
      closed = ss.getLocalPort();
    }
    assertThat(Main.run("simulate", "--scenario", tiny().toString(), "--target", "http://127.0.0.1:" + closed,
        "--admin", "http://127.0.0.1:" + closed, "--admin-token", "t")).isEqualTo(1);
    assertThat(cli.stderr()).contains("cannot reach the admin API");

    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "name: x\nseed: 1\nduration: forever\n");
    assertThat(Main.run("simulate", "--scenario", broken.toString(), "--local")).isEqualTo(1);
    assertThat(cli.stderr()).contains("broken.yaml");

    assertThat(Main.run("simulate", "--scenario", tiny().toString(), "--local", "--duration", "soon"))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("--duration");
  }
}
