package io.distillguard.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A gateway node's name among the nodes sharing a store: its exchange-journal checkpoint and its rate-limit usage
 * and heartbeat are filed under it. Configured ({@code store.node}), or generated once into
 * {@code <data-dir>/node-id} (host name and random digits), so a restarted node keeps its name and finds its own
 * checkpoint.
 */
public final class NodeName {
  public static final String FILE = "node-id";
  static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private NodeName() {}

  /**
   * @param configured {@code store.node}, or null
   * @throws IllegalStateException when the stored name is not a valid one (an edited file)
   * @throws UncheckedIOException  when the data directory cannot be read or written
   */
  public static String resolve(String configured, Path dataDir) {
    if (configured != null) {
      return configured;
    }
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String name = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!VALID.matcher(name).matches()) {
          throw new IllegalStateException(file + " does not hold a node name (1 to 64 letters, digits, '.', '_' or "
              + "'-'); fix or delete it");
        }
        return name;
      }
      Files.createDirectories(dataDir);
      String name = generated();
      Files.writeString(file, name + "\n", StandardCharsets.UTF_8);
      return name;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  private static String generated() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "node";
    }
    host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    if (host.length() > 40) {
      host = host.substring(0, 40);
    }
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    return (host.isEmpty() ? "node" : host) + "-" + HexFormat.of().formatHex(random);
  }
}
