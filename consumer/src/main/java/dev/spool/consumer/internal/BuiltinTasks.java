package dev.spool.consumer.internal;

import dev.spool.HandlerRegistry;
import dev.spool.TaskHandlerProvider;
import java.time.Duration;
import java.util.Arrays;

/**
 * Spool's own tasks, for the demo and the tests:
 *
 * <ul>
 *   <li>{@code square}: a whole number to its square (an error on overflow);
 *   <li>{@code sleep}: milliseconds in, the same number out after sleeping that long (0 to 10
 *       minutes), like the seed's worker;
 *   <li>{@code fail}: always throws, with its argument as the message;
 *   <li>{@code add}: an array of whole numbers to their sum, for {@code starmap}.
 * </ul>
 */
public final class BuiltinTasks implements TaskHandlerProvider {
  static final Duration MAX_SLEEP = Duration.ofMinutes(10);

  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register("square", Long.class, (Long x, dev.spool.TaskContext c) -> square(x));
    registry.register("sleep", Long.class, (Long ms, dev.spool.TaskContext c) -> sleep(ms));
    registry.register(
        "fail",
        String.class,
        (String message, dev.spool.TaskContext c) -> {
          throw new IntentionalFailure(message);
        });
    registry.register(
        "add", long[].class, (long[] xs, dev.spool.TaskContext c) -> Arrays.stream(xs).sum());
  }

  static long square(Long x) {
    if (x == null) throw new IllegalArgumentException("square needs a number, got null");
    return Math.multiplyExact(x, x);
  }

  static long sleep(Long ms) throws InterruptedException {
    if (ms == null || ms < 0 || ms > MAX_SLEEP.toMillis()) {
      throw new IllegalArgumentException(
          "sleep takes 0 to " + MAX_SLEEP.toMillis() + " milliseconds, got " + ms);
    }
    Thread.sleep(ms);
    return ms;
  }

  /** What {@code fail} throws. */
  public static final class IntentionalFailure extends RuntimeException {
    public IntentionalFailure(String message) {
      super(message);
    }
  }
}
