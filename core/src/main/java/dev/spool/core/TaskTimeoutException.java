package dev.spool.core;

import dev.spool.SpoolTimeoutException;

/** A task's result did not arrive within the timeout the caller gave. */
public class TaskTimeoutException extends SpoolTimeoutException {
  public TaskTimeoutException(String message) {
    super(message);
  }
}
