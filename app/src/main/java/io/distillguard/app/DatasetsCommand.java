package io.distillguard.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code distillguard datasets}: lists every public dataset the project uses (name, category, origin, license) and
 * whether the data directory holds it; with {@code --download} fetches it from its origin (pinned commits) into the
 * data directory. The list lives in {@code datasets.yaml} on the classpath; the data is never copied into the
 * repository.
 */
@Command(name = "datasets", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"List the public datasets DistillGuard uses, where each comes from and its license, and whether "
        + "the data directory has it; --download fetches one (or all) from its origin."})
final class DatasetsCommand implements Callable<Integer> {
  static final String REGISTRY = "/datasets.yaml";
  static final String RAW_GITHUB = "https://raw.githubusercontent.com";

  @Option(names = "--data", paramLabel = "DIR", description = "data directory to check (default: "
      + "$DISTILLGUARD_DATA, else ../shared/data when present)")
  String data;

  @Option(names = "--download", paramLabel = "NAME|all", description = "fetch this dataset (or all) from its origin")
  String download;

  @Option(names = "--to", paramLabel = "DIR", description = "where --download puts the files (default: the data "
      + "directory)")
  Path to;

  @Option(names = "--mirror", paramLabel = "URL", description = "fetch from this mirror of "
      + "raw.githubusercontent.com instead (same paths)")
  String mirror;

  @Option(names = "--force", description = "download again even when the files are there")
  boolean force;

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120",
      description = "per-file timeout (default ${DEFAULT-VALUE})")
  int timeoutSeconds;

  private final PrintStream stdout = System.out;

  /** One file of a dataset: its origin URL (null for a derived file) and its name in the folder. */
  record FileEntry(String url, String to, boolean gzip) {}

  /** One dataset of the registry. */
  record Dataset(String name, String category, String folder, String description, String origin, String license,
      String derived, List<FileEntry> files) {

    /** How many of its files the data directory holds. */
    int present(Path dataDir) {
      if (dataDir == null) {
        return 0;
      }
      int n = 0;
      for (FileEntry f : files) {
        if (Files.isRegularFile(dataDir.resolve(folder).resolve(f.to()))) {
          n++;
        }
      }
      return n;
    }
  }

  /** The registry on the classpath. */
  static List<Dataset> registry() {
    JsonNode root;
    try (InputStream in = DatasetsCommand.class.getResourceAsStream(REGISTRY)) {
      if (in == null) {
        throw new IllegalStateException(REGISTRY + " missing from the classpath");
      }
      root = new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Dataset> out = new ArrayList<>();
    for (JsonNode d : root.path("datasets")) {
      List<FileEntry> files = new ArrayList<>();
      for (JsonNode f : d.path("files")) {
        files.add(new FileEntry(f.path("url").asText(null), f.path("to").asText(), f.path("gzip").asBoolean(false)));
      }
      out.add(new Dataset(d.path("name").asText(), d.path("category").asText(), d.path("folder").asText(),
          d.path("description").asText(""), d.path("origin").asText(), d.path("license").asText(),
          d.path("derived").asText(null), List.copyOf(files)));
    }
    return out;
  }

  @Override
  public Integer call() throws Exception {
    if (data != null && !data.isBlank() && !Files.isDirectory(Path.of(data))) {
      throw new IllegalArgumentException("--data: not a directory: " + data);
    }
    Path dataDir = DataSets.locate(data);
    List<Dataset> all = registry();
    if (download == null) {
      list(all, dataDir);
      return 0;
    }
    Path target = to != null ? to : dataDir;
    if (target == null) {
      throw new IllegalArgumentException("no data directory to download into: pass --to DIR (or --data DIR)");
    }
    List<Dataset> chosen = new ArrayList<>();
    if (download.equals("all")) {
      chosen.addAll(all);
    } else {
      for (Dataset d : all) {
        if (d.name().equals(download)) {
          chosen.add(d);
        }
      }
      if (chosen.isEmpty()) {
        throw new IllegalArgumentException("unknown dataset '" + download + "'; known: "
            + String.join(", ", all.stream().map(Dataset::name).toList()) + " (or all)");
      }
      if (chosen.get(0).derived() != null) {
        throw new IllegalArgumentException(download + " cannot be downloaded automatically: it is derived from "
            + chosen.get(0).origin() + ". " + chosen.get(0).derived());
      }
    }
    String base = mirror == null ? RAW_GITHUB : checkedMirror(mirror);
    HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(Duration.ofSeconds(15)).build();
    int failed = 0;
    for (Dataset d : chosen) {
      if (d.derived() != null) {
        stdout.println("skip " + d.name() + ": derived from its origin, not downloadable as is (" + d.origin() + ")");
        continue;
      }
      if (!force && d.present(target) == d.files().size()) {
        stdout.println("have " + d.name() + " (" + target.resolve(d.folder()) + "); --force to fetch again");
        continue;
      }
      try {
        fetch(http, d, target, base);
      } catch (DownloadFailed e) {
        System.err.println("error: " + e.getMessage());
        failed++;
      }
    }
    return failed == 0 ? 0 : 1;
  }

  private void list(List<Dataset> all, Path dataDir) {
    stdout.println("Public datasets DistillGuard uses" + (dataDir == null
        ? " (no data directory found: --data DIR, $DISTILLGUARD_DATA or ../shared/data)"
        : " (data directory " + dataDir.toAbsolutePath().normalize() + ")"));
    stdout.printf(Locale.ROOT, "%-28s %-8s %-15s %s%n", "name", "category", "status", "license");
    int present = 0;
    for (Dataset d : all) {
      int n = d.present(dataDir);
      String status = n == d.files().size() ? "present" : n == 0 ? "missing" : "partial " + n + "/"
          + d.files().size();
      if (n == d.files().size()) {
        present++;
      }
      stdout.printf(Locale.ROOT, "%-28s %-8s %-15s %s%n", d.name(), d.category(), status, d.license());
      stdout.printf(Locale.ROOT, "    %s%s%n", d.origin(), d.derived() != null ? "  (derived: not downloadable as is)"
          : "");
    }
    stdout.println(present + " of " + all.size() + " present. Fetch from the origin (needs internet access to "
        + "raw.githubusercontent.com): distillguard datasets --download NAME|all [--to DIR]");
  }

  /** A download that did not work, with a message that says what to do. */
  static final class DownloadFailed extends Exception {
    private static final long serialVersionUID = 1L;

    DownloadFailed(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private void fetch(HttpClient http, Dataset d, Path dataDir, String base) throws DownloadFailed, IOException {
    Path folder = dataDir.resolve(d.folder());
    Files.createDirectories(folder);
    stdout.println("fetching " + d.name() + " into " + folder);
    StringBuilder source = new StringBuilder();
    source.append("name: ").append(d.name()).append('\n');
    source.append("origin: ").append(d.origin()).append('\n');
    source.append("license: ").append(d.license()).append('\n');
    source.append("downloaded by: distillguard datasets --download, ").append(Instant.now()).append('\n');
    source.append("files:\n");
    for (FileEntry f : d.files()) {
      String url = f.url().startsWith(RAW_GITHUB) ? base + f.url().substring(RAW_GITHUB.length()) : f.url();
      Path dest = folder.resolve(f.to());
      Path tmp = folder.resolve(f.to() + ".part");
      HttpResponse<InputStream> r;
      try {
        r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(timeoutSeconds))
            .header("User-Agent", "distillguard-datasets").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (ConnectException | HttpConnectTimeoutException | UnknownHostException e) {
        throw new DownloadFailed("cannot download " + d.name() + " from " + url + ": cannot reach "
            + URI.create(url).getHost() + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage()) + "). This machine may have no internet access: fetch the files elsewhere and copy "
            + "them to " + folder, e);
      } catch (HttpTimeoutException e) {
        throw new DownloadFailed("cannot download " + d.name() + " from " + url + ": no answer within "
            + timeoutSeconds + " s", e);
      } catch (IOException e) {
        throw new DownloadFailed("cannot download " + d.name() + " from " + url + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DownloadFailed("interrupted", e);
      }
      if (r.statusCode() != 200) {
        r.body().close();
        throw new DownloadFailed("cannot download " + d.name() + ": " + url + " answered " + r.statusCode(), null);
      }
      MessageDigest sha;
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      long bytes;
      try (InputStream in = r.body();
          OutputStream file = Files.newOutputStream(tmp);
          DigestOutputStream digest = new DigestOutputStream(file, sha);
          OutputStream out = f.gzip() ? new GZIPOutputStream(digest, 1 << 16) : digest) {
        bytes = in.transferTo(out);
      } catch (IOException e) {
        Files.deleteIfExists(tmp);
        throw new DownloadFailed("download of " + url + " broke off: " + e.getMessage(), e);
      }
      Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      source.append("  - staged: ").append(f.to()).append(" (sha256 ").append(HexFormat.of().formatHex(sha.digest()))
          .append(")\n    from: ").append(f.url()).append(" (").append(bytes).append(" bytes")
          .append(f.gzip() ? ", gzipped here" : "").append(")\n");
      stdout.printf(Locale.ROOT, "  %-40s %,d bytes%n", f.to(), bytes);
    }
    Path sourceTxt = folder.resolve("SOURCE.txt");
    if (!Files.exists(sourceTxt)) {
      Files.writeString(sourceTxt, source.toString());
    }
  }

  private static String checkedMirror(String url) {
    URI u;
    try {
      u = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mirror: not a URL: '" + url + "'");
    }
    if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
        || u.getHost() == null) {
      throw new IllegalArgumentException("--mirror: expected an http(s) URL, got '" + url + "'");
    }
    String s = u.toString();
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
