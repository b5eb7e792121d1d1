package dev.spool.core;

import dev.spool.SpoolException;

/** A value could not be written as JSON, or a message body could not be read as the type asked. */
public class SpoolCodecException extends SpoolException {
  public SpoolCodecException(String message, Throwable cause) {
    super(message, cause);
  }

  public SpoolCodecException(String message) {
    super(message);
  }
}
