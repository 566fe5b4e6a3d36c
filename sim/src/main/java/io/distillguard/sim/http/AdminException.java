package io.distillguard.sim.http;

/**
 * The gateway's admin API could not be used: unreachable, the admin token rejected, or a call refused. The message
 * says what to check; a run stops on it.
 */
public final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public AdminException(String message, int status) {
    super(message);
    this.status = status;
  }

  public AdminException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  /** The HTTP status of the refused call, 0 when there was no answer. */
  public int status() {
    return status;
  }
}
