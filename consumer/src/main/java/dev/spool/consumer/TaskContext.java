package dev.spool.consumer;

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
  dev.spool.state.SharedState state();
}
