package dev.spool.core;

/**
 * The task was cancelled by id ({@code QueueAdmin.cancel}, {@code spool-producer cancel}, or a
 * map's {@code cancel()}): it never started, or its handler was interrupted and its result, if any,
 * discarded. A {@link TaskFailedException} whose {@link #remote()} says which.
 */
public class TaskCancelledException extends TaskFailedException {
  /** The type an error result carries for a cancelled task. */
  public static final String REMOTE_TYPE = TaskCancelledException.class.getName();

  public TaskCancelledException(String taskName, String taskId, RemoteError remote) {
    super(
        "task '%s' (id %s) was %s"
            .formatted(
                taskName,
                taskId,
                remote.message() == null || remote.message().isBlank()
                    ? "cancelled"
                    : remote.message()),
        taskName,
        taskId,
        remote);
  }

  /** Whether {@code remote} is the error result of a cancelled task. */
  public static boolean describes(RemoteError remote) {
    return REMOTE_TYPE.equals(remote.type());
  }
}
