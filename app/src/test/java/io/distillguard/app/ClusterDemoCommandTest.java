package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster-demo}'s command line: bad options and a directory it did not make are refused before anything
 * starts. (The topology itself runs in {@link LocalClusterFailureTest}.)
 */
class ClusterDemoCommandTest {
  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();

  @Test
  void nodeCountsOutOfRangeAreRefused() {
    assertThat(Main.run("cluster-demo", "--nodes", "0", "--dir", dir.resolve("a").toString())).isEqualTo(2);
    assertThat(cli.stderr()).contains("--nodes must be between 1 and 8");
    assertThat(Main.run("cluster-demo", "--nodes", "99", "--dir", dir.resolve("b").toString())).isEqualTo(2);
    assertThat(Main.run("cluster-demo", "--nodes", "two")).isEqualTo(2);
    assertThat(cli.stderr()).contains("two");
    assertThat(Files.exists(dir.resolve("a"))).as("nothing was created").isFalse();
  }

  @Test
  void aDirectoryItDidNotMakeIsNeverWiped() throws Exception {
    Path foreign = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(foreign.resolve("thesis.tex"), "precious");
    assertThat(Main.run("cluster-demo", "--dir", foreign.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("was not made by cluster-demo");
    assertThat(foreign.resolve("thesis.tex")).hasContent("precious");
  }

  @Test
  void aPreviousRunsDirectoryIsEmptiedAndMarked() throws Exception {
    Path old = dir.resolve("demo");
    ClusterDemoCommand.wipe(old);
    Files.createDirectories(old.resolve("node-1")).resolve("gateway.log").toFile().createNewFile();
    ClusterDemoCommand.wipe(old);
    try (var files = Files.list(old)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(ClusterDemoCommand.MARKER);
    }
  }
}
