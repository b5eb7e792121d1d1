package dev.spool.core;

import dev.spool.SpoolException;
import java.util.Objects;

/**
 * A task's handler threw in a consumer. Like {@code multiprocessing} re-raising a worker's
 * exception, this carries the remote exception's type, message and trimmed stack ({@link
 * #remote()}); the remote stack is also attached as a suppressed {@link RemoteStackTrace} so that
 * it prints with this exception.
 */
public class TaskFailedException extends SpoolException {
  private final String taskName;
  private final String taskId;
  private final RemoteError remote;

  public TaskFailedException(String taskName, String taskId, RemoteError remote) {
    this(describe(taskName, taskId, remote), taskName, taskId, remote);
  }

  /** With a message of the subclass's own. */
  protected TaskFailedException(
      String message, String taskName, String taskId, RemoteError remote) {
    super(message);
    this.taskName = Objects.requireNonNull(taskName, "taskName");
    this.taskId = Objects.requireNonNull(taskId, "taskId");
    this.remote = Objects.requireNonNull(remote, "remote");
    addSuppressed(new RemoteStackTrace(remote));
  }

  private static String describe(String taskName, String taskId, RemoteError remote) {
    String where = remote.element() == null ? "" : " (element " + remote.element() + " of chunk)";
    String dead =
        remote.deadLetter() == null
            ? ""
            : " [dead-lettered: %s after %d attempt(s)]"
                .formatted(remote.deadLetter(), remote.attempts() == null ? 1 : remote.attempts());
    return "task '%s' (id %s)%s failed in %s: %s: %s%s"
        .formatted(
            taskName, taskId, where, remote.worker(), remote.type(), remote.messageOrEmpty(), dead);
  }

  public String taskName() {
    return taskName;
  }

  public String taskId() {
    return taskId;
  }

  /** The exception as it was thrown in the consumer. */
  public RemoteError remote() {
    return remote;
  }

  /** Carries the remote stack so that {@code printStackTrace} shows where the task failed. */
  public static final class RemoteStackTrace extends RuntimeException {
    RemoteStackTrace(RemoteError remote) {
      super("remote " + remote.type() + ": " + remote.messageOrEmpty(), null, false, true);
      setStackTrace(
          remote.stack().stream().map(RemoteStackTrace::frame).toArray(StackTraceElement[]::new));
    }

    private static StackTraceElement frame(String line) {
      return new StackTraceElement("remote", line, null, -1);
    }
  }
}
