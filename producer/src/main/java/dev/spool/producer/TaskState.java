package dev.spool.producer;

import java.util.Locale;

/** What became of a task whose result is kept ({@link AsyncResult#state()}). */
public enum TaskState {
  /** In the work queue, not started yet. */
  PENDING,
  /** Waiting in Redis until it is due (a countdown or an eta). */
  SCHEDULED,
  /** Running on a consumer. */
  STARTED,
  /** An attempt failed; it waits for the next one. */
  RETRYING,
  /** Ended with a result. */
  SUCCEEDED,
  /** Ended with its handler's error: not retryable, or every attempt failed. */
  FAILED,
  /** Cancelled by id before or while it ran. */
  CANCELLED,
  /** Dead-lettered without a handler's error of its own: unreadable, unknown, too large. */
  DEAD,
  /**
   * No record: the id was never submitted with its result kept, or its record expired. (Not {@code
   * PENDING}: a task that does not exist is not said to be waiting.)
   */
  UNKNOWN;

  /** Whether it has ended: succeeded, failed, cancelled or dead. */
  public boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == DEAD;
  }

  /** Lower case, as the command line and JSON print it: {@code succeeded}. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }

  static TaskState parse(String recorded) {
    for (TaskState s : values()) {
      if (s.toString().equals(recorded)) return s;
    }
    return UNKNOWN;
  }
}
