package dev.spool.consumer;

import dev.spool.core.wire.Topology;
import java.time.Duration;
import java.util.Objects;

/**
 * How a consumer works: which queue, how many tasks at once, how many prefetched. Immutable; build
 * with {@link #builder()}, which validates.
 *
 * @param queue short name of the work queue ({@code tasks} by default)
 * @param concurrency tasks run at once
 * @param prefetch deliveries the broker may send ahead of acks; at least {@code concurrency}
 * @param drainTimeout how long a stopping consumer waits for running tasks before interrupting
 * @param virtualThreads run handlers on virtual threads (for I/O-bound handlers)
 */
public record ConsumerConfig(
    String queue, int concurrency, int prefetch, Duration drainTimeout, boolean virtualThreads) {

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link ConsumerConfig}. */
  public static final class Builder {
    private String queue = Topology.DEFAULT_QUEUE;
    private int concurrency = 4;
    private Integer prefetch;
    private Duration drainTimeout = Duration.ofSeconds(60);
    private boolean virtualThreads;

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

    /**
     * @throws IllegalArgumentException naming the setting and value, when one is out of range
     */
    public ConsumerConfig build() {
      Topology.requireQueueName(queue);
      if (concurrency < 1 || concurrency > 1024) {
        throw new IllegalArgumentException("concurrency must be 1 to 1024, was " + concurrency);
      }
      int p = prefetch == null ? Math.min(2 * concurrency, 65535) : prefetch;
      if (p < concurrency || p > 65535) {
        throw new IllegalArgumentException(
            "prefetch must be at least concurrency ("
                + concurrency
                + ") and at most 65535, was "
                + p);
      }
      if (drainTimeout.isZero() || drainTimeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must be positive, was " + drainTimeout);
      }
      return new ConsumerConfig(queue, concurrency, p, drainTimeout, virtualThreads);
    }
  }
}
