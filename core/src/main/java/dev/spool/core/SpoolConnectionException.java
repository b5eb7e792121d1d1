package dev.spool.core;

import dev.spool.SpoolException;

/** RabbitMQ or Redis could not be reached, refused us, or dropped the connection. */
public class SpoolConnectionException extends SpoolException {
  public SpoolConnectionException(String message) {
    super(message);
  }

  public SpoolConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
