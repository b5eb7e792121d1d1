package dev.spool;

/** A stored value could not be read as the type asked for, or a value could not be written. */
public class StateCodecException extends SharedStateException {
  public StateCodecException(String message, Throwable cause) {
    super(message, cause);
  }
}
