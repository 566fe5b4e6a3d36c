package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines and bad configuration fail at start with a message naming what is wrong. */
class CommandLineTest {
  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @Test
  void unknownCommandAndOptionAreUsageErrors() {
    assertThat(Main.run("frobnicate")).isEqualTo(2);
    assertThat(cli.stderr()).contains("frobnicate");
    assertThat(Main.run("serve", "--no-such-flag")).isEqualTo(2);
    assertThat(cli.stderr()).contains("--no-such-flag");
    assertThat(Main.run("serve", "--port", "eighty")).isEqualTo(2);
    assertThat(cli.stderr()).contains("eighty");
  }

  @Test
  void helpAndVersionWork() {
    assertThat(Main.run("--help")).isZero();
    assertThat(cli.stdout()).contains("serve").contains("demo");
    assertThat(Main.run("--version")).isZero();
    assertThat(cli.stdout()).contains("distillguard");
  }

  @Test
  void missingConfigFileIsNamed() {
    assertThat(Main.run("serve", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("configuration file not found").contains("nope.yaml");
  }

  @Test
  void unknownConfigKeyIsNamedWithItsPath() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "server:\n  prot: 8080\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("server.prot").contains("unknown setting");
  }

  @Test
  void wrongTypeAndBadDurationAreNamed() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "upstream:\n  idle-timeout: soon\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("upstream.idle-timeout").contains("soon");
    cli.resetErr();
    Files.writeString(f, "server:\n  port: [1, 2]\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("server.port");
  }

  @Test
  void invalidValuesAreNamed() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "limits:\n  tiers:\n    default:\n      account: {requests-per-minute: -5}\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("limits.tiers.default.account.requests-per-minute");
    cli.resetErr();
    Files.writeString(f, "trusted-proxies: [\"10.0.0.0/99\"]\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("trusted-proxies[0]");
    cli.resetErr();
    assertThat(Main.run("serve", "--upstream", "ftp://example.invalid/v1", "--data-dir", dir.toString()))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("upstream.url");
    cli.resetErr();
    assertThat(Main.run("serve", "--port", "70000", "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("server.port");
  }

  @Test
  void malformedYamlIsReported() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "server: {port: 8080\n");
    assertThat(Main.run("serve", "--config", f.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("c.yaml");
  }

  @Test
  void replayIsRefusedOnPublicBindWithoutForce() {
    assertThat(Main.run("serve", "--replay", "--host", "0.0.0.0", "--port", "0", "--admin-port", "0",
        "--data-dir", dir.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("replay").contains("--force-replay");
  }

  @Test
  void exampleConfigurationIsValid() throws Exception {
    Path example = Path.of(System.getProperty("user.dir")).getParent().resolve("config/distillguard.example.yaml");
    assertThat(example).exists();
    var c = ConfigSources.resolve(example, java.util.Map.of(), new ConfigSources.Flags(null, null, null, null, null,
        null, null));
    assertThat(c.limits.tiers).containsKeys("free", "default", "enterprise");
  }

  @Test
  void environmentOverridesFileAndFlagsOverrideEnvironment() throws Exception {
    Path f = dir.resolve("c.yaml");
    Files.writeString(f, "server:\n  port: 1111\nupstream:\n  url: http://127.0.0.1:9/v1\n");
    var env = java.util.Map.of("DISTILLGUARD_PORT", "2222", "DISTILLGUARD_UPSTREAM", "http://127.0.0.1:10/v1");
    var c = ConfigSources.resolve(f, env, new ConfigSources.Flags(3333, null, null, null, null, null, null));
    assertThat(c.server.port).isEqualTo(3333);
    assertThat(c.upstream.url).isEqualTo("http://127.0.0.1:10/v1");
    var bad = java.util.Map.of("DISTILLGUARD_PORT", "x");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigSources.resolve(null, bad,
            new ConfigSources.Flags(null, null, null, null, null, null, null)))
        .hasMessageContaining("DISTILLGUARD_PORT");
  }
}
