package dev.spool.producer;

import dev.spool.core.wire.Topology;
import dev.spool.state.internal.TaskRecords;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link TaskPool} publishes. Immutable; build with {@link #builder()}, which validates.
 *
 * @param queue short name of the work queue ({@code tasks} by default)
 * @param publishWindow most publishes awaiting a broker confirm at once
 * @param defaultTimeout how long a call waits for results when it names no timeout
 * @param keepResults how long the result of a task is kept in Redis, readable by id ({@link
 *     AsyncResult}), when neither the call nor the task's name says; null to keep none
 * @param keepResultsByTask how long the results of the tasks of a name are kept, by task name
 * @param openTelemetry what to trace with (see {@link Builder#openTelemetry}); null for the global
 *     OpenTelemetry when one is set, else no tracing
 */
public record TaskPoolConfig(
    String queue,
    int publishWindow,
    Duration defaultTimeout,
    Duration keepResults,
    Map<String, Duration> keepResultsByTask,
    OpenTelemetry openTelemetry) {
  /**
   * Checks every setting, whether called by the builder or directly.
   *
   * @throws IllegalArgumentException naming the setting and value, when one is out of range
   */
  public TaskPoolConfig {
    Topology.requireQueueName(queue);
    if (publishWindow < 1 || publishWindow > 100_000) {
      throw new IllegalArgumentException("publishWindow must be 1 to 100000, was " + publishWindow);
    }
    Objects.requireNonNull(defaultTimeout, "defaultTimeout");
    if (defaultTimeout.isZero() || defaultTimeout.isNegative()) {
      throw new IllegalArgumentException("defaultTimeout must be positive, was " + defaultTimeout);
    }
    if (keepResults != null) requireKeep("keepResults", keepResults);
    keepResultsByTask = Map.copyOf(keepResultsByTask == null ? Map.of() : keepResultsByTask);
    keepResultsByTask.forEach((task, keep) -> requireKeep("keepResults of " + task, keep));
  }

  /** Keeping no results. */
  public TaskPoolConfig(String queue, int publishWindow, Duration defaultTimeout) {
    this(queue, publishWindow, defaultTimeout, null, Map.of(), null);
  }

  /** Tracing with the global OpenTelemetry when one is set. */
  public TaskPoolConfig(
      String queue,
      int publishWindow,
      Duration defaultTimeout,
      Duration keepResults,
      Map<String, Duration> keepResultsByTask) {
    this(queue, publishWindow, defaultTimeout, keepResults, keepResultsByTask, null);
  }

  static Duration requireKeep(String what, Duration keep) {
    Objects.requireNonNull(keep, what);
    if (keep.isNegative() || keep.isZero() || keep.compareTo(TaskRecords.MAX_KEEP) > 0) {
      throw new IllegalArgumentException(
          what + " must be from 1 ms to " + TaskRecords.MAX_KEEP.toDays() + " days, was " + keep);
    }
    return keep;
  }

  /** How long the results of task {@code task} are kept when its call does not say, or null. */
  public Duration keepResultsOf(String task) {
    Duration d = keepResultsByTask.get(task);
    return d != null ? d : keepResults;
  }

  public static TaskPoolConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link TaskPoolConfig}. */
  public static final class Builder {
    private String queue = Topology.DEFAULT_QUEUE;
    private int publishWindow = 512;
    private Duration defaultTimeout = Duration.ofMinutes(10);
    private Duration keepResults;
    private final Map<String, Duration> keepResultsByTask = new HashMap<>();
    private OpenTelemetry openTelemetry;

    private Builder() {}

    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    public Builder publishWindow(int publishWindow) {
      this.publishWindow = publishWindow;
      return this;
    }

    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
      return this;
    }

    /**
     * Keeps the result of every task this pool submits (unless its call or name says otherwise) for
     * {@code keep} after it ends: from 1 ms to 90 days.
     */
    public Builder keepResults(Duration keep) {
      this.keepResults = requireKeep("keepResults", keep);
      return this;
    }

    /** Keeps the results of tasks named {@code task} for {@code keep} after each ends. */
    public Builder keepResults(String task, Duration keep) {
      if (task == null || task.isBlank()) throw new IllegalArgumentException("empty task name");
      keepResultsByTask.put(task, requireKeep("keepResults of " + task, keep));
      return this;
    }

    /**
     * Traces every task this pool publishes with {@code otel}: a {@code publish} span, a child of
     * the caller's current span, and the W3C trace context in the task's headers, which the
     * consumer continues. Without it, the pool traces with the global OpenTelemetry when one is set
     * (the OpenTelemetry Java agent sets one; so do Spool's commands when {@code OTEL_*} variables
     * ask for traces), else not at all; {@link OpenTelemetry#noop()} turns tracing off.
     */
    public Builder openTelemetry(OpenTelemetry otel) {
      this.openTelemetry = Objects.requireNonNull(otel, "openTelemetry");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting and value, when one is out of range
     */
    public TaskPoolConfig build() {
      return new TaskPoolConfig(
          queue, publishWindow, defaultTimeout, keepResults, keepResultsByTask, openTelemetry);
    }
  }
}
