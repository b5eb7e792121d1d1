package dev.spool.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An exception thrown by a task handler, as it travels back to the producer in an error result.
 *
 * @param type the exception's class name
 * @param message its message, or {@code null}
 * @param stack the first frames of its stack, then one line per cause
 * @param worker the consumer that ran the task
 * @param element for a chunk of several inputs, the index of the input that failed; else null
 * @param attempts how many attempts were made, when the task was retried; else null
 * @param deadLetter why the task was dead-lettered ({@code retries-exhausted}, {@code
 *     unknown-task}, ...), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RemoteError(
    String type,
    String message,
    List<String> stack,
    String worker,
    Integer element,
    Integer attempts,
    String deadLetter) {
  /** How many stack frames an error result carries. */
  public static final int MAX_FRAMES = 20;

  public RemoteError {
    Objects.requireNonNull(type, "type");
    stack = stack == null ? List.of() : List.copyOf(stack);
    worker = worker == null ? "unknown" : worker;
  }

  public RemoteError(
      String type, String message, List<String> stack, String worker, Integer element) {
    this(type, message, stack, worker, element, null, null);
  }

  /** This error, saying it ended its task in the dead-letter queue after {@code attempts}. */
  public RemoteError deadLettered(String reason, int attempts) {
    return new RemoteError(type, message, stack, worker, element, attempts, reason);
  }

  /** Describes {@code t} with at most {@link #MAX_FRAMES} frames and a line per cause. */
  public static RemoteError of(Throwable t, String worker, Integer element) {
    List<String> lines = new ArrayList<>();
    StackTraceElement[] frames = t.getStackTrace();
    for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
      lines.add(frames[i].toString());
    }
    if (frames.length > MAX_FRAMES) {
      lines.add("... " + (frames.length - MAX_FRAMES) + " more");
    }
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      lines.add("Caused by: " + c);
    }
    return new RemoteError(t.getClass().getName(), t.getMessage(), lines, worker, element);
  }

  /** The message, or an empty string when the exception had none. */
  public String messageOrEmpty() {
    return message == null ? "" : message;
  }
}
