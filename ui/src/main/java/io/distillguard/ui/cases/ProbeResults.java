package io.distillguard.ui.cases;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Watermark probe results that name a subject: the {@code evidence.json} the probe command writes, read from
 * {@code <data dir>/probes/*} and any folders given, keeping the top keys that belong to the accounts or the
 * cluster asked about, with the verdict, the method and the command that reproduces the run.
 */
public final class ProbeResults {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProbeResults() {}

  /** @param clusterId the subject's cluster, or null */
  public static ArrayNode find(Path dataDir, List<Path> extraDirs, Set<String> accounts, String clusterId) {
    ArrayNode out = JSON.createArrayNode();
    List<Path> dirs = new ArrayList<>(extraDirs);
    if (dataDir != null && Files.isDirectory(dataDir.resolve("probes"))) {
      try (Stream<Path> s = Files.list(dataDir.resolve("probes"))) {
        s.filter(Files::isDirectory).sorted().forEach(dirs::add);
      } catch (IOException e) {
        // an unreadable folder holds no evidence we could cite
      }
    }
    for (Path d : dirs) {
      Path f = d.resolve("evidence.json");
      if (!Files.isRegularFile(f)) {
        continue;
      }
      JsonNode ev;
      try {
        ev = JSON.readTree(f.toFile());
      } catch (IOException e) {
        continue;
      }
      ArrayNode matching = JSON.createArrayNode();
      for (JsonNode k : ev.path("top_keys")) {
        if (accounts.contains(k.path("id").asText())
            || clusterId != null && clusterId.equals(k.path("cluster").asText(null))) {
          matching.add(k);
        }
      }
      if (!matching.isEmpty()) {
        ObjectNode p = out.addObject();
        p.put("file", f.toString());
        p.put("title", ev.path("title").asText());
        p.put("generated_at", ev.path("generated_at").asText(null));
        p.put("verdict", ev.path("verdict").asText());
        p.set("counts", ev.path("counts"));
        p.set("method", ev.path("method"));
        p.set("matching_keys", matching);
        p.put("reproduce", ev.path("reproduce").asText());
      }
    }
    return out;
  }
}
