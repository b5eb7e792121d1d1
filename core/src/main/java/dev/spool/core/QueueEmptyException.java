package dev.spool.core;

import dev.spool.SpoolTimeoutException;

/** A queue had no item within the time given (Python's {@code queue.Empty}). */
public class QueueEmptyException extends SpoolTimeoutException {
  public QueueEmptyException(String message) {
    super(message);
  }
}
