package io.distillguard.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --restore-from}: a named checkpoint, or the newest complete one under the checkpoint directory. */
class RestoreOptionTest {

  private static Path checkpoint(Path dir, String job, int n, boolean complete) throws Exception {
    Path chk = Files.createDirectories(dir.resolve(job).resolve("chk-" + n));
    if (complete) {
      Files.writeString(chk.resolve("_metadata"), "m");
    }
    chk.toFile().setLastModified(1_000_000L + n * 1000L);
    return chk;
  }

  @Test
  void latestIsTheNewestCompleteCheckpoint(@TempDir Path dir) throws Exception {
    assertThat(DetectionJob.latestCheckpoint(dir)).isNull();
    checkpoint(dir, "job-a", 3, true);
    Path newest = checkpoint(dir, "job-a", 12, true);
    checkpoint(dir, "job-a", 13, false); // in progress: no _metadata yet
    Files.createDirectories(dir.resolve("job-a").resolve("shared"));
    assertThat(DetectionJob.latestCheckpoint(dir)).isEqualTo(newest);

    DetectionJob job = DetectionJob.parse("--bootstrap-servers", "x:1", "--checkpoint-dir", dir.toUri().toString(),
        "--restore-from", "latest");
    assertThat(job.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newest.toString());
    DetectionJob plain = DetectionJob.parse("--bootstrap-servers", "x:1", "--checkpoint-dir", dir.toString(),
        "--restore-from", "latest");
    assertThat(plain.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newest.toString());
    DetectionJob named = DetectionJob.parse("--bootstrap-servers", "x:1", "--restore-from", newest.toString());
    assertThat(named.configuration().get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newest.toString());
  }

  @Test
  void aRestorePathWithoutACheckpointIsRefusedClearly(@TempDir Path dir) throws Exception {
    DetectionJob none = DetectionJob.parse("--bootstrap-servers", "x:1", "--restore-from",
        dir.resolve("nothing\u001b[2J").toString());
    assertThatThrownBy(none::configuration).hasMessageContaining("no checkpoint or savepoint")
        .hasMessageNotContaining("\u001b");
    DetectionJob noDir = DetectionJob.parse("--bootstrap-servers", "x:1", "--restore-from", "latest");
    assertThatThrownBy(noDir::configuration).hasMessageContaining("needs --checkpoint-dir");
    DetectionJob empty = DetectionJob.parse("--bootstrap-servers", "x:1", "--checkpoint-dir", dir.toString(),
        "--restore-from", "latest");
    assertThatThrownBy(empty::configuration).hasMessageContaining("no complete checkpoint");
    DetectionJob remote = DetectionJob.parse("--bootstrap-servers", "x:1", "--checkpoint-dir", "s3://b/cp",
        "--restore-from", "latest");
    assertThatThrownBy(remote::configuration).hasMessageContaining("local checkpoint directories only");
  }
}
