package dev.spool.core;

import dev.spool.SpoolException;

/** Both ends of a pipe are open in other processes: a pipe connects exactly two. */
public class PipeTakenException extends SpoolException {
  public PipeTakenException(String message) {
    super(message);
  }
}
