package dev.spool;

/**
 * What the shared state throws: Redis unreachable, a lock lost or nested out of order, a value that
 * is not valid JSON for its type, state lost. A lock wait that runs out is a {@link
 * LockTimeoutException}, under {@link SpoolTimeoutException} with every other timeout.
 */
public class SharedStateException extends SpoolException {
  public SharedStateException(String message) {
    super(message);
  }

  public SharedStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
