package io.distillguard.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeNameTest {
  @TempDir Path dir;

  @Test
  void aConfiguredNameWinsAndNothingIsWritten() {
    assertThat(NodeName.resolve("gw-7", dir)).isEqualTo("gw-7");
    assertThat(dir.resolve(NodeName.FILE)).doesNotExist();
  }

  @Test
  void aGeneratedNameIsValidAndKeptAcrossRestarts() {
    String first = NodeName.resolve(null, dir.resolve("data"));
    assertThat(first).matches("[A-Za-z0-9._-]{1,64}");
    assertThat(NodeName.resolve(null, dir.resolve("data"))).isEqualTo(first);
    assertThat(NodeName.resolve(null, dir.resolve("other"))).isNotEqualTo(first);
  }

  @Test
  void anEditedFileThatHoldsNoNameIsAClearError() throws Exception {
    Files.writeString(dir.resolve(NodeName.FILE), "<script>\n");
    assertThatThrownBy(() -> NodeName.resolve(null, dir)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not hold a node name");
  }
}
