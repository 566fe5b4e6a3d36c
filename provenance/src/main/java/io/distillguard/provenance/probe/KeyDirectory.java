package io.distillguard.provenance.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillguard.provenance.watermark.WatermarkKey;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys a probe tests, rebuilt from the gateway's master secret: the global key, one per account listed by the
 * admin API ({@code GET /admin/v1/accounts}, paged), and one per cluster those accounts belong to. No key is ever
 * sent over the network; only account and cluster ids are read.
 */
public final class KeyDirectory {
  private static final ObjectMapper JSON = new ObjectMapper();

  private KeyDirectory() {}

  /** A key with the account or cluster it stands for. */
  public record Entry(WatermarkKey key, String cluster) {}

  /** Keys for the given account ids (and their clusters, when known). */
  public static List<Entry> of(byte[] master, Map<String, String> accountClusters) {
    List<Entry> out = new ArrayList<>();
    out.add(new Entry(WatermarkKey.derive(master, WatermarkKey.Scope.GLOBAL, null), null));
    Set<String> clusters = new LinkedHashSet<>();
    for (Map.Entry<String, String> e : accountClusters.entrySet()) {
      out.add(new Entry(WatermarkKey.account(master, e.getKey()), e.getValue()));
      if (e.getValue() != null) {
        clusters.add(e.getValue());
      }
    }
    for (String c : clusters) {
      out.add(new Entry(WatermarkKey.derive(master, WatermarkKey.Scope.CLUSTER, c), c));
    }
    return out;
  }

  /** Every account id (with its cluster id or null) the admin API lists. */
  public static Map<String, String> accounts(String adminUrl, String token) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    Map<String, String> out = new LinkedHashMap<>();
    String after = null;
    String base = adminUrl.endsWith("/") ? adminUrl.substring(0, adminUrl.length() - 1) : adminUrl;
    do {
      String url = base + "/admin/v1/accounts?limit=100"
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
          .header("authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + url + " answered " + r.statusCode());
      }
      JsonNode n = JSON.readTree(r.body());
      for (JsonNode a : n.path("data")) {
        out.put(a.path("id").asText(), a.hasNonNull("cluster_id") ? a.get("cluster_id").asText() : null);
      }
      after = n.hasNonNull("next_after") ? n.get("next_after").asText() : null;
    } while (after != null);
    return out;
  }
}
