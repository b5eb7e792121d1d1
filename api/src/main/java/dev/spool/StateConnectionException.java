package dev.spool;

/** Redis could not be reached or dropped the connection. */
public class StateConnectionException extends SharedStateException {
  public StateConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
