package io.distillguard.gateway.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Where the admin token comes from: the configuration, else {@code DISTILLGUARD_ADMIN_TOKEN}, else a token generated
 * on first start and kept in {@code <data dir>/admin-token} (readable by its owner only).
 */
public final class AdminToken {
  public static final String ENV = "DISTILLGUARD_ADMIN_TOKEN";
  public static final String FILE = "admin-token";

  private AdminToken() {}

  public static String resolve(String configured, String fromEnv, Path dataDir) {
    if (configured != null && !configured.isBlank()) {
      return configured.trim();
    }
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String t = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!t.isEmpty()) {
          return t;
        }
      }
      Files.createDirectories(dataDir);
      byte[] b = new byte[24];
      new SecureRandom().nextBytes(b);
      String token = "dg-admin-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the data directory's own permissions apply
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the admin token in " + file, e);
    }
  }
}
