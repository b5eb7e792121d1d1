package dev.spool;

/**
 * A wait ran out: for a task's result ({@code TaskTimeoutException}), for a queue item ({@code
 * QueueEmptyException}), for a lock ({@link LockTimeoutException}), for the items of a joinable
 * queue to be done, or a task's own time limit ({@link TaskTimeLimitException}). Catch this to
 * handle every timeout alike.
 */
public class SpoolTimeoutException extends SpoolException {
  public SpoolTimeoutException(String message) {
    super(message);
  }

  public SpoolTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
