package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import io.distillguard.core.AuditEntry;
import io.distillguard.store.CaseFileLog;
import io.distillguard.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes evidence bundles: {@code <data dir>/cases/<case id>/} with {@code case.json} (every number),
 * {@code case.html} and {@code case.pdf} (the same page), the chart images, and {@code manifest.json} listing each
 * file's SHA-256; plus {@code <case id>.zip} of the folder. The manifest's own SHA-256 is the bundle hash: it goes
 * into the hash-chained audit log ({@code case.export}) and the case-file table, so a bundle handed on later can be
 * shown to be the one written here ({@link #verify}).
 */
public final class CaseFiles {
  private static final Logger LOG = LoggerFactory.getLogger(CaseFiles.class);
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss", Locale.ROOT)
      .withZone(ZoneOffset.UTC);
  private static final List<Path> FONTS = List.of(
      Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
      Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"),
      Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"));

  /** What a case is about: {@code account} or {@code cluster}, and its id. */
  public record Subject(String kind, String id) {
    public Subject {
      if (!kind.equals("account") && !kind.equals("cluster")) {
        throw new IllegalArgumentException("a case is about an account or a cluster");
      }
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException("not an " + kind + " id: " + (id == null ? "null" : id));
      }
    }

    public boolean isCluster() {
      return kind.equals("cluster");
    }

    public String wire() {
      return kind + ":" + id;
    }
  }

  /** A written bundle. */
  public record Bundle(String id, Path dir, Path zip, String sha256, long auditSeq, Map<String, String> files) {}

  private final Store store;
  private final AdminSource admin;
  private final Path dataDir;
  private final List<Path> probeDirs;
  private final Clock clock;

  /**
   * @param admin     the running gateway's admin API, for live risk and clusters; null to read the store only
   * @param probeDirs probe output folders (each with {@code evidence.json}) to cite besides
   *                  {@code <data dir>/probes/*}
   */
  public CaseFiles(Store store, AdminSource admin, Path dataDir, List<Path> probeDirs, Clock clock) {
    this.store = store;
    this.admin = admin;
    this.dataDir = dataDir;
    this.probeDirs = List.copyOf(probeDirs);
    this.clock = clock;
  }

  /** Collects, renders, hashes and records a case file. Blocking. */
  public Bundle write(Subject subject, String actor) {
    Instant now = clock.instant();
    String id = "case-" + STAMP.format(now) + "-" + subject.kind().charAt(0) + "-" + slug(subject.id()) + "-"
        + HexFormat.of().formatHex(sha256((subject.wire() + now.toEpochMilli() + System.nanoTime())
            .getBytes(StandardCharsets.UTF_8))).substring(0, 6);
    Path dir = dataDir.resolve("cases").resolve(id);
    try {
      Files.createDirectories(dir);
      ObjectNode data = new CaseCollector(store, admin, dataDir, probeDirs).collect(subject, id, actor, now);
      Map<String, String> charts = charts(data, dir);
      String html = CaseHtml.render(data, charts);
      Files.writeString(dir.resolve("case.json"), CaseCollector.JSON.writer(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(data), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("case.html"), html, StandardCharsets.UTF_8);
      pdf(html, dir);
      ObjectNode manifest = CaseCollector.JSON.createObjectNode();
      manifest.put("case_id", id).put("subject", subject.wire()).put("created_at", now.toString())
          .put("created_by", actor);
      ArrayNode files = manifest.putArray("files");
      Map<String, String> hashes = new LinkedHashMap<>();
      try (var list = Files.list(dir)) {
        for (Path f : list.sorted().toList()) {
          String h = HexFormat.of().formatHex(sha256(Files.readAllBytes(f)));
          hashes.put(f.getFileName().toString(), h);
          files.addObject().put("name", f.getFileName().toString()).put("sha256", h).put("bytes", Files.size(f));
        }
      }
      byte[] manifestBytes = CaseCollector.JSON.writer(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsBytes(manifest);
      Files.write(dir.resolve("manifest.json"), manifestBytes);
      String bundleHash = HexFormat.of().formatHex(sha256(manifestBytes));
      Map<String, String> details = new LinkedHashMap<>();
      details.put("case_id", id);
      details.put("sha256", bundleHash);
      details.put("pdf_sha256", hashes.get("case.pdf"));
      details.put("json_sha256", hashes.get("case.json"));
      details.put("path", dir.toAbsolutePath().toString());
      AuditEntry audited = store.audit().append(now, actor, "case.export", subject.wire(), details);
      store.cases().append(new CaseFileLog.CaseFile(id, subject.wire(), now, actor, bundleHash,
          dir.toAbsolutePath().toString(), audited.seq()));
      Path zip = dir.resolveSibling(id + ".zip");
      zip(dir, zip);
      hashes.put("manifest.json", bundleHash);
      return new Bundle(id, dir, zip, bundleHash, audited.seq(), hashes);
    } catch (IOException e) {
      throw new UncheckedIOException("writing case file " + dir + " failed", e);
    }
  }

  /** The outcome of checking a bundle against its manifest and the audit log. */
  public record Check(boolean ok, List<String> problems, String caseId, String sha256, long auditSeq) {}

  /** Re-hashes every file of a bundle folder and finds the manifest's hash in the audit log. */
  public static Check verify(Store store, Path dir) throws IOException {
    List<String> problems = new ArrayList<>();
    Path mf = dir.resolve("manifest.json");
    if (!Files.isRegularFile(mf)) {
      return new Check(false, List.of("no manifest.json in " + dir), null, null, 0);
    }
    byte[] bytes = Files.readAllBytes(mf);
    String hash = HexFormat.of().formatHex(sha256(bytes));
    JsonNode m = CaseCollector.JSON.readTree(bytes);
    String caseId = m.path("case_id").asText();
    for (JsonNode f : m.path("files")) {
      Path p = dir.resolve(f.path("name").asText()).normalize();
      if (!p.startsWith(dir.normalize()) || !Files.isRegularFile(p)) {
        problems.add("missing file " + f.path("name").asText());
      } else if (!HexFormat.of().formatHex(sha256(Files.readAllBytes(p))).equals(f.path("sha256").asText())) {
        problems.add("file " + f.path("name").asText() + " does not match its hash in the manifest");
      }
    }
    long seq = 0;
    Optional<CaseFileLog.CaseFile> rec = store.cases().find(caseId);
    if (rec.isEmpty()) {
      problems.add("case " + caseId + " is not recorded in this store");
    } else {
      seq = rec.get().auditSeq();
      AuditEntry entry = store.audit().list(m.path("subject").asText(), 10_000).stream()
          .filter(e -> e.seq() == rec.get().auditSeq()).findFirst().orElse(null);
      if (entry == null || !"case.export".equals(entry.action())) {
        problems.add("the audit log has no case.export entry " + rec.get().auditSeq() + " for " + caseId);
      } else if (!hash.equals(entry.details().get("sha256"))) {
        problems.add("the manifest's hash " + hash + " differs from the one audited (" + entry.details().get("sha256")
            + ") : the bundle was changed after it was written");
      }
    }
    return new Check(problems.isEmpty(), problems, caseId, hash, seq);
  }

  private Map<String, String> charts(ObjectNode data, Path dir) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      List<Charts.Series> series = new ArrayList<>();
      for (JsonNode a : data.path("accounts")) {
        List<Instant> at = new ArrayList<>();
        List<Double> v = new ArrayList<>();
        for (JsonNode p : a.path("score_history")) {
          at.add(Instant.parse(p.path("at").asText()));
          v.add(p.path("score").asDouble());
        }
        series.add(new Charts.Series(a.path("account").path("id").asText(), at, v));
        if (series.size() == 5) {
          break;
        }
      }
      Files.write(dir.resolve("chart-score.png"), Charts.scores(series, null));
      out.put("score", "chart-score.png");
      List<Instant> times = new ArrayList<>();
      String first = data.path("accounts").path(0).path("account").path("id").asText();
      store.exchanges().list(first, null, CaseCollector.TEMPLATE_WINDOW).forEach(e -> times.add(e.eventTime()));
      Files.write(dir.resolve("chart-activity.png"), Charts.activity(null, times));
      out.put("activity", "chart-activity.png");
    } catch (IOException | RuntimeException | Error e) {
      // Java2D without fonts (a bare headless JDK) cannot draw text: the bundle is still complete without pictures.
      LOG.warn("case file charts could not be drawn: {}", e.toString());
    }
    return out;
  }

  private static void pdf(String html, Path dir) throws IOException {
    // Its progress messages ("Prepare to fly") would land in the command's output on every case.
    com.openhtmltopdf.util.XRLog.setLoggingEnabled(false);
    try (OutputStream os = Files.newOutputStream(dir.resolve("case.pdf"))) {
      PdfRendererBuilder b = new PdfRendererBuilder();
      b.useFastMode();
      for (Path f : FONTS) {
        if (Files.isRegularFile(f)) {
          String family = f.getFileName().toString().contains("Mono") ? "DejaVu Sans Mono" : "DejaVu Sans";
          int weight = f.getFileName().toString().contains("Bold") ? 700 : 400;
          b.useFont(f.toFile(), family, weight, PdfRendererBuilder.FontStyle.NORMAL, true);
        }
      }
      b.withHtmlContent(html, dir.toUri().toString());
      b.toStream(os);
      b.run();
    }
  }

  private static void zip(Path dir, Path zip) throws IOException {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zip)); var list = Files.list(dir)) {
      for (Path f : list.sorted().toList()) {
        z.putNextEntry(new ZipEntry(dir.getFileName() + "/" + f.getFileName()));
        Files.copy(f, z);
        z.closeEntry();
      }
    }
  }

  private static String slug(String id) {
    String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.length() > 40 ? s.substring(0, 40) : s;
  }

  static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
