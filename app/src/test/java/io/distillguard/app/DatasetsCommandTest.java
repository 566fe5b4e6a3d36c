package io.distillguard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.distillguard.sim.data.DatasetInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code distillguard datasets}: the registry covers every dataset the project uses; listing shows presence;
 * downloading is tested against a small HTTP server on loopback standing in for the origin.
 */
class DatasetsCommandTest {
  @TempDir Path dir;
  @RegisterExtension final CommandRun cli = new CommandRun();
  private HttpServer server;
  private final Map<String, String> served = new ConcurrentHashMap<>();

  @AfterEach
  void stopMirror() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** Serves {@link #served} by path; 404 otherwise. */
  private String mirror() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      String body = served.get(ex.getRequestURI().getPath());
      byte[] b = body == null ? "not found".getBytes(StandardCharsets.UTF_8) : body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(b);
      }
    });
    server.start();
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static String path(String url) {
    return url.substring(DatasetsCommand.RAW_GITHUB.length());
  }

  @Test
  void registryCoversEveryDatasetTheProjectReadsAndEverySourceFolder() throws Exception {
    List<DatasetsCommand.Dataset> reg = DatasetsCommand.registry();
    Set<String> folders = reg.stream().map(DatasetsCommand.Dataset::folder).collect(Collectors.toSet());
    for (DatasetInfo info : DatasetInfo.CATALOG.values()) {
      assertThat(folders).as("registry entry for " + info.name()).contains(info.folder());
    }
    assertThat(reg).allSatisfy(d -> {
      assertThat(d.category()).isIn("benign", "attack", "traces");
      assertThat(d.origin()).startsWith("https://github.com/");
      assertThat(d.license()).isNotBlank();
      assertThat(d.files()).isNotEmpty();
      if (d.derived() == null) {
        assertThat(d.files()).allSatisfy(f -> assertThat(f.url()).startsWith(DatasetsCommand.RAW_GITHUB + "/"));
      }
    });
    // Where the shared data is present, every folder with a SOURCE.txt is in the registry and every file is there.
    Path shared = Path.of(System.getProperty("distillguard.data", "../../shared/data"));
    if (Files.isDirectory(shared)) {
      try (Stream<Path> s = Files.walk(shared, 3)) {
        for (Path src : s.filter(p -> p.getFileName().toString().equals("SOURCE.txt")).toList()) {
          String folder = shared.relativize(src.getParent()).toString().replace('\\', '/');
          assertThat(folders).as("registry entry for " + folder).contains(folder);
        }
      }
      for (DatasetsCommand.Dataset d : reg) {
        assertThat(d.present(shared)).as(d.name()).isEqualTo(d.files().size());
      }
    }
  }

  @Test
  void listsEveryDatasetWithOriginLicenseAndPresence() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data.resolve("benign/fastchat-mtbench-vicuna"));
    Files.writeString(data.resolve("benign/fastchat-mtbench-vicuna/mt_bench_question.jsonl"), "{}\n");
    Files.createDirectories(data.resolve("attack/gsm8k"));
    Files.writeString(data.resolve("attack/gsm8k/train.jsonl.gz"), "");

    assertThat(Main.run("datasets", "--data", data.toString())).isZero();
    String text = cli.stdout();
    for (DatasetsCommand.Dataset d : DatasetsCommand.registry()) {
      assertThat(text).contains(d.name()).contains(d.license());
    }
    assertThat(text).containsPattern("fastchat-mtbench-vicuna +benign +partial 1/2")
        .containsPattern("gsm8k +attack +present").containsPattern("mooncake-traces +traces +missing")
        .contains("https://github.com/openai/grade-school-math").contains("1 of " + DatasetsCommand.registry().size() + " present");
  }

  @Test
  void downloadsFromTheOriginIntoTheDataDirectory() throws Exception {
    String base = mirror();
    DatasetsCommand.Dataset fastchat = find("fastchat-mtbench-vicuna");
    served.put(path(fastchat.files().get(0).url()), "{\"question_id\": 81, \"turns\": [\"hi\", \"more\"]}\n");
    served.put(path(fastchat.files().get(1).url()), "{\"question_id\": 1, \"turns\": [\"hello\"]}\n");
    DatasetsCommand.Dataset gsm = find("gsm8k");
    served.put(path(gsm.files().get(0).url()), "{\"question\": \"1+1?\", \"answer\": \"#### 2\"}\n");
    Path to = dir.resolve("fresh");

    assertThat(Main.run("datasets", "--download", "fastchat-mtbench-vicuna", "--to", to.toString(), "--mirror",
        base)).as(cli.stderr()).isZero();
    Path folder = to.resolve("benign/fastchat-mtbench-vicuna");
    assertThat(Files.readString(folder.resolve("mt_bench_question.jsonl"))).contains("question_id\": 81");
    assertThat(Files.readString(folder.resolve("vicuna_bench_question.jsonl"))).contains("hello");
    assertThat(Files.readString(folder.resolve("SOURCE.txt"))).contains("Apache-2.0")
        .contains("https://github.com/lm-sys/FastChat").contains("sha256");
    assertThat(Files.list(folder).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));

    // Staged copies that are gzipped are compressed on the way in.
    assertThat(Main.run("datasets", "--download", "gsm8k", "--to", to.toString(), "--mirror", base)).isZero();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(to.resolve("attack/gsm8k/train.jsonl.gz")))) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("#### 2");
    }
    // Present now: listed as such, and not fetched again without --force.
    cli.resetOut();
    assertThat(Main.run("datasets", "--data", to.toString())).isZero();
    assertThat(cli.stdout()).containsPattern("gsm8k +attack +present");
    assertThat(Main.run("datasets", "--download", "gsm8k", "--to", to.toString(), "--mirror", base)).isZero();
    assertThat(cli.stdout()).contains("have gsm8k");
  }

  @Test
  void unreachableOriginMissingFilesAndUnknownNamesAreClearErrors() throws Exception {
    int closed;
    try (ServerSocket ss = new ServerSocket(0)) {
      closed = ss.getLocalPort();
    }
    Path to = dir.resolve("d");
    assertThat(Main.run("datasets", "--download", "mgsm", "--to", to.toString(), "--mirror",
        "http://127.0.0.1:" + closed)).isEqualTo(1);
    assertThat(cli.stderr()).contains("cannot download mgsm").contains("cannot reach 127.0.0.1")
        .contains("no internet access");

    String base = mirror(); // serves nothing: every file is a 404
    assertThat(Main.run("datasets", "--download", "self-instruct", "--to", to.toString(), "--mirror", base))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("answered 404");
    try (Stream<Path> s = Files.walk(to)) {
      assertThat(s.filter(Files::isRegularFile)).isEmpty();
    }

    assertThat(Main.run("datasets", "--download", "no-such-set", "--to", to.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("unknown dataset 'no-such-set'").contains("gsm8k");
    assertThat(Main.run("datasets", "--download", "flan-v2-templates", "--to", to.toString())).isEqualTo(1);
    assertThat(cli.stderr()).contains("cannot be downloaded automatically").contains("templates.py");
    assertThat(Main.run("datasets", "--download", "gsm8k", "--to", to.toString(), "--mirror", "ftp://x"))
        .isEqualTo(1);
    assertThat(cli.stderr()).contains("--mirror");
  }

  private static DatasetsCommand.Dataset find(String name) {
    return DatasetsCommand.registry().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow();
  }
}
