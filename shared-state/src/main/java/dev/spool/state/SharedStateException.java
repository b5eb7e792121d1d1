package dev.spool.state;

/**
 * The root of every exception the shared-state module throws. Unchecked. (The module stands alone,
 * so this is its own root rather than Spool's.)
 */
public class SharedStateException extends RuntimeException {
  public SharedStateException(String message) {
    super(message);
  }

  public SharedStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
