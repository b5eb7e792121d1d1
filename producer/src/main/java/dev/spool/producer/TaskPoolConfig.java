package dev.spool.producer;

import dev.spool.core.wire.Topology;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link TaskPool} publishes. Immutable; build with {@link #builder()}, which validates.
 *
 * @param queue short name of the work queue ({@code tasks} by default)
 * @param publishWindow most publishes awaiting a broker confirm at once
 * @param defaultTimeout how long a call waits for results when it names no timeout
 */
public record TaskPoolConfig(String queue, int publishWindow, Duration defaultTimeout) {
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
     * @throws IllegalArgumentException naming the setting and value, when one is out of range
     */
    public TaskPoolConfig build() {
      return new TaskPoolConfig(queue, publishWindow, defaultTimeout);
    }
  }
}
