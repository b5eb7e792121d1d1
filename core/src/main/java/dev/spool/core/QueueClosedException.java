package dev.spool.core;

import dev.spool.SpoolException;

/**
 * A reader took a poison pill: the writer closed the queue for it, and it should stop (Python's
 * {@code None} sentinel). Every later {@code get} on that reader throws this too.
 */
public class QueueClosedException extends SpoolException {
  public QueueClosedException(String message) {
    super(message);
  }
}
