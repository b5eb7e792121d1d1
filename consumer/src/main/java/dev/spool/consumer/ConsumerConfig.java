package dev.spool.consumer;

import dev.spool.core.wire.Topology;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a consumer works: which queue, how many tasks at once, how many prefetched, how failing and
 * slow tasks are treated. Immutable; build with {@link #builder()}, which validates.
 *
 * @param queue short name of the work queue ({@code tasks} by default)
 * @param concurrency tasks run at once
 * @param prefetch deliveries the broker may send ahead of acks; at least {@code concurrency}
 * @param drainTimeout how long a stopping consumer waits for running tasks before interrupting
 * @param virtualThreads run handlers on virtual threads (for I/O-bound handlers)
 * @param retry the retry policy of tasks without their own
 * @param retryByTask retry policies by task name
 * @param timeLimit how long a task may run before it is interrupted and counted as failed
 * @param timeLimitByTask time limits by task name
 * @param brokerConsumerTimeout the broker's {@code consumer_timeout}: a delivery unacked this long
 *     makes the broker close the channel; a time limit above it is warned about at start
 * @param idempotencyTtl how long the marker of a task run under an idempotency key is kept
 */
public record ConsumerConfig(
    String queue,
    int concurrency,
    int prefetch,
    Duration drainTimeout,
    boolean virtualThreads,
    RetryPolicy retry,
    Map<String, RetryPolicy> retryByTask,
    Duration timeLimit,
    Map<String, Duration> timeLimitByTask,
    Duration brokerConsumerTimeout,
    Duration idempotencyTtl) {

  public ConsumerConfig {
    retryByTask = Map.copyOf(retryByTask);
    timeLimitByTask = Map.copyOf(timeLimitByTask);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The retry policy of task {@code name}. */
  public RetryPolicy retryFor(String name) {
    return retryByTask.getOrDefault(name, retry);
  }

  /** The time limit of task {@code name}. */
  public Duration timeLimitFor(String name) {
    return timeLimitByTask.getOrDefault(name, timeLimit);
  }

  /** The longest time limit of any task. */
  public Duration longestTimeLimit() {
    return timeLimitByTask.values().stream()
        .reduce(timeLimit, (a, b) -> a.compareTo(b) >= 0 ? a : b);
  }

  /**
   * The prefetch when none is set: 2 x concurrency, and at least {@value #MIN_DEFAULT_PREFETCH}. A
   * delivery holds its slot until its result is confirmed and the ack is sent, a few ms after it
   * ends, so short tasks need that many slots to keep the workers busy (bin/spool-bench: 4,400
   * tasks/s at prefetch 8, 7,600 at 32, no more at 64). Long tasks want prefetch = concurrency, so
   * that an idle consumer is not left waiting while another holds the queue's work.
   */
  public static int defaultPrefetch(int concurrency) {
    return Math.min(Math.max(2 * concurrency, MIN_DEFAULT_PREFETCH), 65535);
  }

  /** The least default prefetch. */
  public static final int MIN_DEFAULT_PREFETCH = 32;

  /** Builds a {@link ConsumerConfig}. */
  public static final class Builder {
    private String queue = Topology.DEFAULT_QUEUE;
    private int concurrency = 4;
    private Integer prefetch;
    private Duration drainTimeout = Duration.ofSeconds(60);
    private boolean virtualThreads;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private final Map<String, RetryPolicy> retryByTask = new HashMap<>();
    private Duration timeLimit = Duration.ofMinutes(15);
    private final Map<String, Duration> timeLimitByTask = new HashMap<>();
    private Duration brokerConsumerTimeout = Duration.ofMinutes(30);
    private Duration idempotencyTtl = Duration.ofDays(1);

    private Builder() {}

    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Defaults to twice the concurrency. */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
      return this;
    }

    public Builder virtualThreads(boolean virtualThreads) {
      this.virtualThreads = virtualThreads;
      return this;
    }

    /** The retry policy of every task without its own; {@link RetryPolicy#DEFAULT} if unset. */
    public Builder retry(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy, "retry");
      return this;
    }

    /** The retry policy of task {@code name}. */
    public Builder retry(String name, RetryPolicy policy) {
      retryByTask.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(policy, name));
      return this;
    }

    /** The time limit of every task without its own; 15 minutes if unset. */
    public Builder timeLimit(Duration limit) {
      this.timeLimit = Objects.requireNonNull(limit, "timeLimit");
      return this;
    }

    /** The time limit of task {@code name}. */
    public Builder timeLimit(String name, Duration limit) {
      timeLimitByTask.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(limit, name));
      return this;
    }

    /** The broker's {@code consumer_timeout} (30 minutes unless the broker sets another). */
    public Builder brokerConsumerTimeout(Duration timeout) {
      this.brokerConsumerTimeout = Objects.requireNonNull(timeout, "brokerConsumerTimeout");
      return this;
    }

    public Builder idempotencyTtl(Duration ttl) {
      this.idempotencyTtl = Objects.requireNonNull(ttl, "idempotencyTtl");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting and value, when one is out of range
     */
    public ConsumerConfig build() {
      Topology.requireQueueName(queue);
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("concurrency must be 1 to 1024, was " + concurrency);
      }
      int p = prefetch == null ? defaultPrefetch(concurrency) : prefetch;
      if (p < concurrency || p > 65535) {
        throw new IllegalArgumentException(
            "prefetch must be at least concurrency ("
                + concurrency
                + ") and at most 65535, was "
                + p);
      }
      positive("drainTimeout", drainTimeout);
      positive("timeLimit", timeLimit);
      timeLimitByTask.forEach((name, limit) -> positive("time limit of " + name, limit));
      positive("brokerConsumerTimeout", brokerConsumerTimeout);
      positive("idempotencyTtl", idempotencyTtl);
      return new ConsumerConfig(
          queue,
          concurrency,
          p,
          drainTimeout,
          virtualThreads,
          retry,
          retryByTask,
          timeLimit,
          timeLimitByTask,
          brokerConsumerTimeout,
          idempotencyTtl);
    }

    private static void positive(String setting, Duration d) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + d);
      }
    }
  }
}
