package io.distillguard.gateway.provenance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The watermark master secret every account key is derived from. From the configuration
 * ({@code provenance.master-secret}), else {@code DISTILLGUARD_WATERMARK_SECRET}, else generated once into
 * {@code <data dir>/watermark-secret} (owner-readable only). Losing it makes past watermarks unprovable; whoever holds
 * it can rebuild every account's key, so it is never logged and never served.
 */
public final class WatermarkSecret {
  public static final String ENV = "DISTILLGUARD_WATERMARK_SECRET";
  public static final String FILE = "watermark-secret";

  private WatermarkSecret() {}

  /** The secret's bytes (its UTF-8 text as written: a generated one is base64url of 32 random bytes). */
  public static synchronized byte[] resolve(String configured, String fromEnv, Path dataDir) {
    String s = configured != null && !configured.isBlank() ? configured.trim()
        : fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : readOrCreate(dataDir.resolve(FILE));
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length < 16) {
      throw new IllegalArgumentException("provenance.master-secret must be 16 bytes at least");
    }
    return b;
  }

  /** Reads the secret file written by a gateway (for the probe), or fails saying where it looked. */
  public static byte[] read(Path file) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (s.length() < 16) {
        throw new IllegalArgumentException(file + " does not hold a watermark secret (16 bytes at least)");
      }
      return s.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the watermark secret " + file, e);
    }
  }

  private static String readOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        String t = Files.readString(file, StandardCharsets.UTF_8).trim();
        if (!t.isEmpty()) {
          return t;
        }
      }
      Files.createDirectories(file.getParent());
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
      try {
        Files.writeString(file, secret + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
      } catch (FileAlreadyExistsException raced) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the data directory's own permissions apply
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the watermark secret in " + file, e);
    }
  }
}
