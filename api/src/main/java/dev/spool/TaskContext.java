package dev.spool;

/** What a handler knows about the task it is running. Valid only during the call. */
public interface TaskContext {
  /** The task's id; the same across redeliveries of the same task. */
  String taskId();

  /** The task's name. */
  String taskName();

  /** 1 for the first attempt. */
  int attempt();

  /** True when the broker delivered this task before (a consumer died or handed it back). */
  boolean redelivered();

  /** The consumer running the task, {@code host/pid}. */
  String workerId();

  /**
   * Shared dicts, lists, values and locks in Redis, under the consumer's namespace. Shared by every
   * task of the consumer; do not close it.
   */
  SharedState state();

  /**
   * Reports how far the task has got: {@code done} units of {@code total} (0 when unknown), and
   * what it is doing. For a task whose result is kept, the latest report is visible through its
   * {@code AsyncResult} and {@code spool-producer result ID} while it runs; reports are coalesced
   * to at most two writes a second, so it may be called in a tight loop. Otherwise it costs nothing
   * and goes nowhere.
   *
   * @param message at most 200 characters are kept; may be null
   * @throws IllegalArgumentException when {@code done} or {@code total} is negative
   */
  default void progress(long done, long total, String message) {}
}
