package dev.spool.core.wire;

import com.rabbitmq.client.Channel;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delay queues of one work queue, as a publisher uses them: the queue to publish to for a wait,
 * declared on first use and again every minute (a delay queue expires {@link
 * Topology#DELAY_QUEUE_IDLE} past its TTL without a declaration). Thread-safe.
 */
public final class DelayQueues {
  private static final long REDECLARE_MS = 60_000;

  private final Topology topology;
  private final String queue;
  private final Channel declarations;
  private final Clock clock;
  private final Map<Long, Long> declaredAt = new ConcurrentHashMap<>();

  /**
   * @param queue the short name of the work queue
   * @param declarations a channel for declarations only (a failed one closes it)
   */
  public DelayQueues(Topology topology, String queue, Channel declarations, Clock clock) {
    this.topology = topology;
    this.queue = queue;
    this.declarations = declarations;
    this.clock = clock;
  }

  /**
   * The delay queue for a wait of about {@code delay}: the longest TTL not above it (the shortest
   * when it is shorter than all), declared if needed.
   *
   * @throws dev.spool.SpoolException when it cannot be declared
   */
  public String forDelay(Duration delay) {
    long bucket = Topology.delayBucket(delay);
    long now = clock.millis();
    Long last = declaredAt.get(bucket);
    if (last == null || now - last > REDECLARE_MS) {
      synchronized (declarations) {
        topology.declareDelayQueue(declarations, queue, bucket);
      }
      declaredAt.put(bucket, now);
    }
    return topology.delayQueue(queue, bucket);
  }
}
