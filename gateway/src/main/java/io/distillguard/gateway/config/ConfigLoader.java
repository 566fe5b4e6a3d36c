package io.distillguard.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link GatewayConfig} from YAML (or JSON) with strict binding: an unknown key, a wrong type or a bad
 * duration fails with a message naming the field.
 */
public final class ConfigLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private ConfigLoader() {}

  /** The mapper used for configuration: fails on unknown properties, understands "500ms"-style durations. */
  public static ObjectMapper mapper(ObjectMapper base) {
    SimpleModule durations = new SimpleModule("durations");
    durations.addDeserializer(Duration.class, new DurationDeserializer());
    return base.copy()
        .registerModule(durations)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);
  }

  /** Reads and validates a configuration file; {@code yamlMapper} must be a YAML-capable mapper. */
  public static GatewayConfig load(Path file, ObjectMapper yamlMapper) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file not found: " + file);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
    }
    GatewayConfig config;
    try {
      config = bytes.length == 0 ? new GatewayConfig() : mapper(yamlMapper).readValue(bytes, GatewayConfig.class);
    } catch (JsonMappingException e) {
      throw new ConfigException(file + ": " + fieldPath(e) + ": " + cause(e), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage(), e);
    }
    if (config == null) {
      config = new GatewayConfig();
    }
    return ConfigValidator.validate(config);
  }

  /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or an ISO-8601 duration. */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms": return Duration.ofMillis(n);
        case "s": return Duration.ofSeconds(n);
        case "m": return Duration.ofMinutes(n);
        case "h": return Duration.ofHours(n);
        default: return Duration.ofDays(n);
      }
    }
    try {
      return Duration.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration (use e.g. 500ms, 30s, 5m)");
    }
  }

  static String fieldPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(root)" : sb.toString();
  }

  private static String cause(JsonMappingException e) {
    if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
      return "unknown setting '" + u.getPropertyName() + "'";
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f) {
      return "'" + f.getValue() + "' is not a valid " + f.getTargetType().getSimpleName().toLowerCase(Locale.ROOT);
    }
    if (e instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException) {
      return "wrong type (" + e.getOriginalMessage().split("\n")[0] + ")";
    }
    String msg = e.getOriginalMessage();
    return msg == null ? e.getClass().getSimpleName() : msg.split("\n")[0];
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      if (p.currentToken().isNumeric()) {
        return Duration.ofMillis(p.getLongValue());
      }
      String text = p.getValueAsString();
      if (text == null) {
        throw JsonMappingException.from(p, "expected a duration such as 500ms or 30s");
      }
      try {
        return parseDuration(text);
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage());
      }
    }
  }

  /** Makes a message for a config error thrown by the mapper outside {@link #load}. */
  public static String describe(JsonProcessingException e) {
    return e instanceof JsonMappingException m ? fieldPath(m) + ": " + cause(m) : e.getOriginalMessage();
  }
}
