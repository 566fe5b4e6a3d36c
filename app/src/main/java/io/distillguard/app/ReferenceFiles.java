package io.distillguard.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Prompt/response JSONL, the format {@code probe --texts} and {@code probe --reference} read back. */
final class ReferenceFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceFiles() {}

  /** One line per answer: {@code {"prompt": ..., "response": ...}}, prompts and answers paired by position. */
  static void write(Path file, List<String> prompts, List<String> answers) throws IOException {
    if (prompts.size() != answers.size()) {
      throw new IllegalArgumentException(prompts.size() + " prompts for " + answers.size() + " answers");
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < prompts.size(); i++) {
        w.write(JSON.writeValueAsString(JSON.createObjectNode().put("prompt", prompts.get(i))
            .put("response", answers.get(i))));
        w.write('\n');
      }
    }
  }
}
