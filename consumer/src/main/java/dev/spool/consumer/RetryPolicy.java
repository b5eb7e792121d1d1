package dev.spool.consumer;

import dev.spool.NotRetryableException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.DoubleSupplier;

/**
 * How a failing task is retried: up to {@code maxAttempts} runs in all, waiting an exponentially
 * growing, jittered delay between them in a delay queue (no worker thread waits). After the last
 * attempt, or at once for an exception that is not retryable, the task is dead-lettered and its
 * producer receives the error.
 *
 * <pre>{@code
 * RetryPolicy.of(5, Duration.ofSeconds(2)).notRetryable(IllegalStateException.class)
 * }</pre>
 *
 * @param maxAttempts runs in all, including the first (1: no retries)
 * @param baseDelay the delay before the second attempt; it doubles for each further one
 * @param maxDelay the longest delay
 * @param notRetryable names of exception classes (and their subclasses) that fail at once
 */
public record RetryPolicy(
    int maxAttempts, Duration baseDelay, Duration maxDelay, Set<String> notRetryable) {

  /** Not retried whatever the policy: bad input by Java convention, and the explicit marker. */
  public static final Set<String> ALWAYS_NOT_RETRYABLE =
      Set.of(NotRetryableException.class.getName(), IllegalArgumentException.class.getName());

  public static final RetryPolicy DEFAULT =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(5), Set.of());

  /** One attempt, no retries. */
  public static final RetryPolicy NONE =
      new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(1), Set.of());

  public RetryPolicy {
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("max attempts must be 1 to 100, was " + maxAttempts);
    }
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (baseDelay.toMillis() < 100 || maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "retry delays must be at least 100ms, the maximum no less than the base; were "
              + baseDelay
              + " and "
              + maxDelay);
    }
    if (maxDelay.compareTo(Duration.ofHours(2)) > 0) {
      throw new IllegalArgumentException("retry delay must be at most 2h, was " + maxDelay);
    }
    notRetryable = Set.copyOf(notRetryable);
  }

  /** {@code maxAttempts} runs, starting from {@code baseDelay}, at most 5 minutes apart. */
  public static RetryPolicy of(int maxAttempts, Duration baseDelay) {
    Duration max =
        Duration.ofMinutes(5).compareTo(baseDelay) < 0 ? baseDelay : Duration.ofMinutes(5);
    return new RetryPolicy(maxAttempts, baseDelay, max, Set.of());
  }

  /** This policy, with {@code types} (and their subclasses) failing at once. */
  @SafeVarargs
  public final RetryPolicy notRetryable(Class<? extends Throwable>... types) {
    java.util.Set<String> names = new java.util.HashSet<>(notRetryable);
    for (Class<? extends Throwable> t : types) names.add(t.getName());
    return new RetryPolicy(maxAttempts, baseDelay, maxDelay, names);
  }

  /** True when another attempt should follow failed attempt {@code attempt} with {@code error}. */
  public boolean retries(int attempt, Throwable error) {
    return attempt < maxAttempts && retryable(error);
  }

  /** False when {@code error}'s class, or one of its superclasses, is marked not retryable. */
  public boolean retryable(Throwable error) {
    for (Class<?> c = error.getClass(); c != null; c = c.getSuperclass()) {
      if (notRetryable.contains(c.getName()) || ALWAYS_NOT_RETRYABLE.contains(c.getName())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The wait after failed attempt {@code attempt} (1 for the first): {@code baseDelay * 2^(attempt
   * - 1)}, capped at {@code maxDelay}, then jittered into its upper half ("equal jitter") so that
   * tasks failing together do not all come back together.
   */
  public Duration delayAfter(int attempt, DoubleSupplier random) {
    double full = baseDelay.toMillis() * Math.pow(2, Math.min(attempt - 1, 40));
    double capped = Math.min(full, maxDelay.toMillis());
    double jittered = capped / 2 + random.getAsDouble() * capped / 2;
    return Duration.ofMillis(Math.max(100, Math.round(jittered)));
  }
}
