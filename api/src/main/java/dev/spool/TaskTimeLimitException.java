package dev.spool;

import java.time.Duration;

/**
 * A task ran past its time limit. Its worker thread was interrupted; the attempt counts as failed
 * and is retried or dead-lettered by the task's retry policy.
 */
public class TaskTimeLimitException extends SpoolTimeoutException {
  public TaskTimeLimitException(String task, Duration limit, boolean stuck) {
    super(
        "task '"
            + task
            + "' ran past its time limit of "
            + limit
            + (stuck
                ? " and ignored the interrupt; its thread was abandoned and replaced"
                : " and was interrupted"));
  }
}
