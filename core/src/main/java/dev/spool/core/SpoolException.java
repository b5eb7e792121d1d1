package dev.spool.core;

/**
 * The root of every exception Spool throws. Unchecked: callers catch the subtype whose cause they
 * can act on ({@link SpoolConnectionException}, {@link SpoolCodecException}, {@link
 * TaskFailedException}, {@link TaskTimeoutException}).
 */
public class SpoolException extends RuntimeException {
  public SpoolException(String message) {
    super(message);
  }

  public SpoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
