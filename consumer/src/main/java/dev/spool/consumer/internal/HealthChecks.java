package dev.spool.consumer.internal;

import dev.spool.SharedState;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.StopReason;
import dev.spool.core.QueueType;
import dev.spool.core.SpoolConfig;
import dev.spool.core.metrics.Health;
import dev.spool.core.wire.ConfirmingPublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's checks that can fail while its connection looks fine: results the broker does not
 * confirm (stalled, or wedged for good), a Redis that does not answer; and, once at start, settings
 * that will bite later.
 */
public final class HealthChecks implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpoolConsumer.class);
  private final ConfirmingPublisher publisher;
  private final SharedState state;

  public HealthChecks(ConfirmingPublisher publisher, SharedState state) {
    this.publisher = publisher;
    this.state = state;
  }

  @Override
  public void close() {
    redisProbe.shutdownNow();
  }

  /**
   * A result (or a retry, a dead letter, a moved delayed task) unconfirmed this long makes the
   * consumer unhealthy: it cannot return results.
   */
  public static final Duration PUBLISH_STALL = Duration.ofSeconds(30);

  /**
   * Unconfirmed this long without a broker alarm, the publisher is wedged: the consumer stops,
   * non-zero, so that its supervisor starts a fresh one (its unacked tasks go back to the queue).
   * An alarm only makes it unhealthy: it clears by itself, and a new process would meet it too.
   */
  public static final Duration PUBLISH_WEDGED = Duration.ofMinutes(2);

  /** {@code up}, or how long publishing has been stuck and why, as far as is known. */
  public String publishingState(long nowNanos) {
    Duration stuck = publisher.oldestUnconfirmed(nowNanos);
    if (stuck.compareTo(PUBLISH_STALL) < 0) return Health.UP;
    String alarm = publisher.alarmLine();
    return publisher.unconfirmed()
        + " message(s) unconfirmed for "
        + stuck.toSeconds()
        + " s"
        + (alarm != null ? ": " + alarm : "; the broker does not confirm them");
  }

  /** Run every few seconds: why the consumer must stop, once its publishing is wedged. */
  public java.util.Optional<StopReason> wedged() {
    Duration stuck = publisher.oldestUnconfirmed(System.nanoTime());
    if (stuck.compareTo(PUBLISH_WEDGED) >= 0 && publisher.blockedReason() == null) {
      return java.util.Optional.of(
          new StopReason(
              "publishing wedged: "
                  + publisher.unconfirmed()
                  + " message(s) unconfirmed for "
                  + stuck.toSeconds()
                  + " s with no broker alarm; exiting so that a fresh consumer takes over",
              true));
    }
    return java.util.Optional.empty();
  }

  /** How long a health check waits for Redis: well inside a container healthcheck's timeout. */
  private static final Duration REDIS_HEALTH_WAIT = Duration.ofSeconds(1);

  private final java.util.concurrent.ExecutorService redisProbe =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> Thread.ofPlatform().daemon().name("spool-health-redis").unstarted(r));
  private volatile CompletableFuture<String> redisPing;

  /**
   * One PING at a time, waited for at most {@link #REDIS_HEALTH_WAIT}: a frozen Redis makes the
   * check say so at once instead of holding the HTTP thread past the healthcheck's timeout.
   */
  public String redisHealth() {
    CompletableFuture<String> ping = redisPing;
    if (ping == null || ping.isDone()) {
      ping =
          CompletableFuture.supplyAsync(
                  () -> {
                    state.ping();
                    return Health.UP;
                  },
                  redisProbe)
              .exceptionally(e -> (e.getCause() != null ? e.getCause() : e).getMessage());
      redisPing = ping;
    }
    try {
      return ping.get(REDIS_HEALTH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return "Redis did not answer a PING within " + REDIS_HEALTH_WAIT.toMillis() + " ms";
    } catch (ExecutionException e) {
      return String.valueOf(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Settings that will bite later, said once at start. */
  public static void warnAboutLimits(ConsumerConfig settings, SpoolConfig config) {
    Duration longest = settings.longestTimeLimit();
    Duration brokerLimit = settings.brokerConsumerTimeout();
    if (longest.compareTo(brokerLimit) >= 0) {
      log.warn(
          "a task time limit ({}) is not below the broker's consumer timeout ({}): the broker will"
              + " close this consumer's channel before the time limit ends such a task; lower"
              + " --time-limit or raise consumer_timeout in rabbitmq.conf (and"
              + " --broker-consumer-timeout)",
          longest,
          brokerLimit);
    }
    if (config.queueType() == QueueType.CLASSIC) {
      log.info(
          "classic queues count no deliveries: a task that kills its consumer is delivered again"
              + " without limit; quorum queues end that after {} deliveries",
          config.deliveryLimit());
    }
  }
}
