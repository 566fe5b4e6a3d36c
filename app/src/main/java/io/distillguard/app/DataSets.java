package io.distillguard.app;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the directory of public datasets: {@code --data DIR}, else {@code DISTILLGUARD_DATA}, else
 * {@code ../shared/data} when it exists
 * (relative to the working directory, then to the repository the launcher ran from). The datasets are read in place, never copied into the repository.
 */
final class DataSets {
  static final String ENV = "DISTILLGUARD_DATA";

  private DataSets() {}

  /** The dataset directory, or null when none is configured or present. */
  static Path locate(String flag) {
    if (flag != null && !flag.isBlank()) {
      return Path.of(flag);
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path shared = Path.of("..", "shared", "data");
    if (Files.isDirectory(shared)) {
      return shared.toAbsolutePath().normalize();
    }
    // Started through the launcher from another directory: look beside the repository.
    String home = System.getenv("DISTILLGUARD_HOME");
    if (home != null) {
      Path besideRepo = Path.of(home, "..", "shared", "data");
      if (Files.isDirectory(besideRepo)) {
        return besideRepo.toAbsolutePath().normalize();
      }
    }
    return null;
  }
}
