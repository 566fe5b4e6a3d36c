package io.distillguard.store;

/** A call referred to an entity that does not exist. */
public class NotFoundException extends RuntimeException {
  public NotFoundException(String message) {
    super(message);
  }
}
