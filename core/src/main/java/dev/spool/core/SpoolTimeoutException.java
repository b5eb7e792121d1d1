package dev.spool.core;

/**
 * A wait ran out: for a task's result ({@link TaskTimeoutException}), for a queue item ({@link
 * QueueEmptyException}), for the items of a joinable queue to be done, or a task's own time limit.
 * Catch this to handle every timeout alike.
 */
public class SpoolTimeoutException extends SpoolException {
  public SpoolTimeoutException(String message) {
    super(message);
  }

  public SpoolTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
