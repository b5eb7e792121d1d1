package dev.spool.core.wire;

import dev.spool.core.SpoolCodecException;

/** A delivery is not a Spool message: a required property or header is missing or wrong. */
public class MalformedMessageException extends SpoolCodecException {
  public MalformedMessageException(String message) {
    super(message);
  }
}
