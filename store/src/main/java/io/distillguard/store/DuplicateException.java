package io.distillguard.store;

/** A create call named an id that exists already. */
public class DuplicateException extends RuntimeException {
  public DuplicateException(String message) {
    super(message);
  }
}
