package dev.spool;

/**
 * Thrown by a handler to fail its task at once, without retries, whatever the retry policy: the
 * task is dead-lettered and its producer receives the error. Use it for failures that another
 * attempt cannot fix. {@link IllegalArgumentException} is treated the same way.
 */
public class NotRetryableException extends SpoolException {
  public NotRetryableException(String message) {
    super(message);
  }

  public NotRetryableException(String message, Throwable cause) {
    super(message, cause);
  }
}
