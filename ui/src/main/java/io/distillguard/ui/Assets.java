package io.distillguard.ui;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dashboard's files, read from the classpath once: its own pages, scripts and styles, and Chart.js from its
 * WebJar. A fixed list, so no request path ever reaches the class loader.
 */
final class Assets {
  /** Found through the WebJar's own version file, so upgrading the dependency needs no change here. */
  static final String CHART_JS = "META-INF/resources/webjars/chart.js/" + webJarVersion("org.webjars.npm", "chart.js")
      + "/dist/chart.umd.min.js";

  record Asset(Buffer body, String type) {}

  private final Map<String, Asset> byPath = new LinkedHashMap<>();

  Assets() {
    own("index.html", "text/html; charset=utf-8");
    own("login.html", "text/html; charset=utf-8");
    own("app.js", "text/javascript; charset=utf-8");
    own("login.js", "text/javascript; charset=utf-8");
    own("app.css", "text/css; charset=utf-8");
    add("/ui/vendor/chart.umd.min.js", CHART_JS, "text/javascript; charset=utf-8");
  }

  static String webJarVersion(String group, String artifact) {
    String props = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(props)) {
      if (in == null) {
        throw new IllegalStateException("WebJar " + artifact + " is missing from the classpath");
      }
      java.util.Properties p = new java.util.Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Asset get(String path) {
    return byPath.get(path);
  }

  private void own(String name, String type) {
    add("/ui/static/" + name, "io/distillguard/ui/static/" + name, type);
  }

  private void add(String path, String resource, String type) {
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("dashboard resource missing from the classpath: " + resource);
      }
      byPath.put(path, new Asset(Buffer.buffer(in.readAllBytes()), type));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
