package io.distillguard.store;

/** The store failed for a reason outside the caller's control (I/O, a broken database file). */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
