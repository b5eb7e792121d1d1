package dev.spool.consumer;

import dev.spool.core.wire.Topology;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a consumer works: which queue, how many tasks at once, how many prefetched, how failing and
 * slow tasks are treated. Immutable and thread-safe; build with {@link #builder()}, which
 * validates.
 *
 * <p>Settings (each a method of the same name here and on the builder): {@code queue} (short name
 * of the work queue, {@code tasks} by default); {@code concurrency} (tasks run at once); {@code
 * prefetch} (deliveries the broker may send ahead of acks, at least {@code concurrency}); {@code
 * drainTimeout} (how long a stopping consumer waits for running tasks before interrupting); {@code
 * virtualThreads} (handlers on virtual threads, for I/O-bound handlers); {@code retry} and {@code
 * retryByTask} (retry policies); {@code timeLimit} and {@code timeLimitByTask} (how long a task may
 * run before it is interrupted and counted as failed); {@code brokerConsumerTimeout} (the broker's
 * {@code consumer_timeout}: a delivery unacked this long makes the broker close the channel; a time
 * limit above it is warned about at start); {@code idempotencyTtl} (how long the marker of a task
 * run under an idempotency key is kept).
 *
 * <p>A class with a builder rather than a record, so that the only way to one is validated and a
 * new setting breaks no caller.
 */
public final class ConsumerConfig {
  private final String queue;
  private final int concurrency;
  private final int prefetch;
  private final boolean prefetchAdaptive;
  private final Duration drainTimeout;
  private final boolean virtualThreads;
  private final boolean heartbeat;
  private final boolean taskIndex;
  private final RetryPolicy retry;
  private final Map<String, RetryPolicy> retryByTask;
  private final Duration timeLimit;
  private final Map<String, Duration> timeLimitByTask;
  private final Map<String, RateLimit> rateLimitByTask;
  private final Duration brokerConsumerTimeout;
  private final Duration idempotencyTtl;
  private final OpenTelemetry openTelemetry;

  private ConsumerConfig(Builder b, int prefetch) {
    this.queue = b.queue;
    this.concurrency = b.concurrency;
    this.prefetch = prefetch;
    this.prefetchAdaptive = b.prefetch == null;
    this.drainTimeout = b.drainTimeout;
    this.virtualThreads = b.virtualThreads;
    this.heartbeat = b.heartbeat;
    this.taskIndex = b.taskIndex;
    this.retry = b.retry;
    this.retryByTask = Map.copyOf(b.retryByTask);
    this.timeLimit = b.timeLimit;
    this.timeLimitByTask = Map.copyOf(b.timeLimitByTask);
    this.rateLimitByTask = Map.copyOf(b.rateLimitByTask);
    this.brokerConsumerTimeout = b.brokerConsumerTimeout;
    this.idempotencyTtl = b.idempotencyTtl;
    this.openTelemetry = b.openTelemetry;
  }

  public String queue() {
    return queue;
  }

  public int concurrency() {
    return concurrency;
  }

  /** The prefetch window to start with: the one set, or {@link #defaultPrefetch}. */
  public int prefetch() {
    return prefetch;
  }

  /**
   * Whether the consumer chooses its window as it runs, because none was set: {@link #prefetch}
   * while tasks are long, {@link #widePrefetch} while they take a few ms or less.
   */
  public boolean prefetchAdaptive() {
    return prefetchAdaptive;
  }

  public Duration drainTimeout() {
    return drainTimeout;
  }

  public boolean virtualThreads() {
    return virtualThreads;
  }

  /**
   * Whether the consumer publishes its report every 2 s and answers pings (the workers list, {@code
   * spool-producer workers}, {@code ping}, the dashboard). On unless turned off.
   */
  public boolean heartbeat() {
    return heartbeat;
  }

  /**
   * Whether the consumer writes each run's start and end to the task index, the dashboard's list of
   * every recent task (a Redis call every 200 ms, a batch). On unless turned off.
   */
  public boolean taskIndex() {
    return taskIndex;
  }

  public RetryPolicy retry() {
    return retry;
  }

  public Map<String, RetryPolicy> retryByTask() {
    return retryByTask;
  }

  public Duration timeLimit() {
    return timeLimit;
  }

  public Map<String, Duration> timeLimitByTask() {
    return timeLimitByTask;
  }

  public Duration brokerConsumerTimeout() {
    return brokerConsumerTimeout;
  }

  /**
   * What tasks are traced with, or null for the global OpenTelemetry when one is set ({@link
   * Builder#openTelemetry}).
   */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  public Duration idempotencyTtl() {
    return idempotencyTtl;
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.queue = queue;
    b.concurrency = concurrency;
    b.prefetch = prefetchAdaptive ? null : prefetch;
    b.drainTimeout = drainTimeout;
    b.virtualThreads = virtualThreads;
    b.heartbeat = heartbeat;
    b.taskIndex = taskIndex;
    b.retry = retry;
    b.retryByTask.putAll(retryByTask);
    b.timeLimit = timeLimit;
    b.timeLimitByTask.putAll(timeLimitByTask);
    b.rateLimitByTask.putAll(rateLimitByTask);
    b.brokerConsumerTimeout = brokerConsumerTimeout;
    b.idempotencyTtl = idempotencyTtl;
    b.openTelemetry = openTelemetry;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConsumerConfig c && toString().equals(c.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "ConsumerConfig[queue="
        + queue
        + ", concurrency="
        + concurrency
        + ", prefetch="
        + prefetch
        + ", drainTimeout="
        + drainTimeout
        + ", virtualThreads="
        + virtualThreads
        + ", heartbeat="
        + heartbeat
        + ", taskIndex="
        + taskIndex
        + ", retry="
        + retry
        + ", retryByTask="
        + new java.util.TreeMap<>(retryByTask)
        + ", timeLimit="
        + timeLimit
        + ", timeLimitByTask="
        + new java.util.TreeMap<>(timeLimitByTask)
        + ", rateLimitByTask="
        + new java.util.TreeMap<>(rateLimitByTask)
        + ", brokerConsumerTimeout="
        + brokerConsumerTimeout
        + ", idempotencyTtl="
        + idempotencyTtl
        + (openTelemetry == null ? "" : ", tracing=" + (openTelemetry != OpenTelemetry.noop()))
        + "]";
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

  /** The rate limit of task {@code name}, or null when it has none. */
  public RateLimit rateLimitFor(String name) {
    return rateLimitByTask.get(name);
  }

  /** Rate limits by task name. */
  public Map<String, RateLimit> rateLimitByTask() {
    return rateLimitByTask;
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
   * tasks/s at prefetch 8, 7,600 at 32). Long tasks want prefetch = concurrency, so that an idle
   * consumer is not left waiting while another holds the queue's work. A consumer with no prefetch
   * set widens its window to {@link #widePrefetch} while its tasks are short.
   */
  public static int defaultPrefetch(int concurrency) {
    return Math.min(Math.max(2 * concurrency, MIN_DEFAULT_PREFETCH), 65535);
  }

  /**
   * The window a consumer with no prefetch set takes while its tasks run a few ms or less: {@link
   * #defaultPrefetch}, and at least {@value #WIDE_PREFETCH}. On a quorum queue every ack is a
   * command in the queue's Raft log, and a wider window means fewer, larger acks: two consumers ran
   * a 30,000-task map at 5,200 tasks/s with 32 slots each and 6,900 with 128, the broker using 4.5
   * and 3.2 s of CPU; 256 was no faster (docs/performance.md).
   */
  public static int widePrefetch(int concurrency) {
    return Math.max(defaultPrefetch(concurrency), WIDE_PREFETCH);
  }

  /** The least {@link #widePrefetch}. */
  public static final int WIDE_PREFETCH = 128;

  /** The least default prefetch. */
  public static final int MIN_DEFAULT_PREFETCH = 32;

  /** Builds a {@link ConsumerConfig}. */
  public static final class Builder {
    private String queue = Topology.DEFAULT_QUEUE;
    private int concurrency = 4;
    private Integer prefetch;
    private Duration drainTimeout = Duration.ofSeconds(60);
    private boolean virtualThreads;
    private boolean heartbeat = true;
    private boolean taskIndex = true;
    private RetryPolicy retry = RetryPolicy.DEFAULT;
    private final Map<String, RetryPolicy> retryByTask = new HashMap<>();
    private Duration timeLimit = Duration.ofMinutes(15);
    private final Map<String, Duration> timeLimitByTask = new HashMap<>();
    private final Map<String, RateLimit> rateLimitByTask = new HashMap<>();
    private Duration brokerConsumerTimeout = Duration.ofMinutes(30);
    private Duration idempotencyTtl = Duration.ofDays(1);
    private OpenTelemetry openTelemetry;

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

    /** Off: the consumer's runs are not in the task index (the dashboard's task list). */
    public Builder taskIndex(boolean taskIndex) {
      this.taskIndex = taskIndex;
      return this;
    }

    /** Off: the consumer is not on the workers list and answers no ping. */
    public Builder heartbeat(boolean heartbeat) {
      this.heartbeat = heartbeat;
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

    /**
     * At most {@code limit} starts of task {@code name} across every consumer (counted in Redis); a
     * task submitted with a rate key is counted under that key, each key with the same limit. Give
     * every consumer of the queue the same limits.
     */
    public Builder rateLimit(String name, RateLimit limit) {
      rateLimitByTask.put(
          Objects.requireNonNull(name, "name"), Objects.requireNonNull(limit, name));
      return this;
    }

    /** The broker's {@code consumer_timeout} (30 minutes unless the broker sets another). */
    public Builder brokerConsumerTimeout(Duration timeout) {
      this.brokerConsumerTimeout = Objects.requireNonNull(timeout, "brokerConsumerTimeout");
      return this;
    }

    /**
     * Traces every task this consumer runs with {@code otel}, continuing the trace whose W3C
     * context the task carries: a {@code wait} span (in the queue), a {@code process} span (the
     * handler's run, current on its thread, so that tasks submitted from a handler join the trace)
     * and a {@code result} span (until the broker has the result). Without it, the consumer traces
     * with the global OpenTelemetry when one is set, else not at all; {@link OpenTelemetry#noop()}
     * turns tracing off.
     */
    public Builder openTelemetry(OpenTelemetry otel) {
      this.openTelemetry = Objects.requireNonNull(otel, "openTelemetry");
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
      return new ConsumerConfig(this, p);
    }

    private static void positive(String setting, Duration d) {
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + d);
      }
    }
  }
}
