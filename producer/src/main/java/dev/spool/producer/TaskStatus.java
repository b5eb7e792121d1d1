package dev.spool.producer;

import dev.spool.core.RemoteError;
import java.time.Duration;
import java.time.Instant;

/**
 * What a task's record says at one moment ({@link AsyncResult#status()}).
 *
 * @param id the task id
 * @param state its state
 * @param name the task name, or null when unknown
 * @param submitted when it was submitted, or null
 * @param due when it is due (a delayed task), or null
 * @param started when its latest attempt started, or null
 * @param finished when it ended, or null
 * @param attempts attempts started so far
 * @param worker the consumer of its latest attempt, or null
 * @param resultJson its result as JSON once succeeded, else null
 * @param error its error once failed, dead or cancelled, or the last failure while retrying; else
 *     null
 * @param progress its latest progress report while started, or null
 * @param keptFor how much longer the record is kept, or null
 */
public record TaskStatus(
    String id,
    TaskState state,
    String name,
    Instant submitted,
    Instant due,
    Instant started,
    Instant finished,
    int attempts,
    String worker,
    String resultJson,
    RemoteError error,
    Progress progress,
    Duration keptFor) {

  /**
   * A progress report from inside a task ({@code TaskContext.progress}).
   *
   * @param done units done
   * @param total units in all, or 0 when unknown
   * @param message what it is doing, or null
   */
  public record Progress(long done, long total, String message) {}
}
