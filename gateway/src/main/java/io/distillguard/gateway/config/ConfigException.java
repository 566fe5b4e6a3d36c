package io.distillguard.gateway.config;

/** Invalid configuration; the message names the field and what is wrong with it. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
