package dev.spool.consumer;

import dev.spool.core.metrics.Health;
import java.time.Duration;

/**
 * A running consumer: the Spool counterpart of one {@code multiprocessing} worker process, made by
 * {@code spool.consumer(settings, registry)} on the spool's connection and shared state.
 *
 * <pre>{@code
 * try (Spool spool = Spool.connect(config);
 *     SpoolConsumer consumer =
 *         spool.consumer(ConsumerConfig.builder().build(), HandlerRegistry.withProviders(loader))) {
 *   StopReason why = consumer.awaitStopRequest(); // a poison pill, or requestStop()
 * } // close() drains: running tasks finish, prefetched ones go back to the queue
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is idempotent and leaves the spool's connection open.
 */
public interface SpoolConsumer extends AutoCloseable {

  /** The consumer's id, {@code host/pid}, as it appears in results and logs. */
  String id();

  /** The full name of the queue consumed. */
  String queue();

  /** Tasks run, failed, retried and dead-lettered so far. */
  ConsumerStats stats();

  /**
   * Whether this consumer can work now: its broker connection and channel are open (not lost or
   * recovering), it has not been asked to stop, and Redis answers a PING. Blocks for at most the
   * Redis timeout.
   */
  Health health();

  /**
   * Stops taking tasks without stopping: the subscription is cancelled, tasks prefetched and not
   * started go back to the queue, running ones finish. Consumers do this themselves when the
   * queue's pause flag is set ({@code spool-producer pause}); {@link #resume} undoes it. While
   * paused, pills wait in the queue too.
   */
  void pause(String why);

  /** Takes tasks again after {@link #pause}. */
  void resume();

  /** Whether this consumer is paused ({@link #pause}). */
  boolean paused();

  /** Asks the consumer to stop, as a pill would. The first request's reason wins. */
  void requestStop(String reason);

  /** Blocks until a pill, {@link #requestStop} or a lost channel asks the consumer to stop. */
  StopReason awaitStopRequest() throws InterruptedException;

  /** As {@link #awaitStopRequest()}, giving up after {@code timeout}; null when it did. */
  StopReason awaitStopRequest(Duration timeout) throws InterruptedException;

  /**
   * Stops cleanly: no new deliveries, prefetched ones back to the queue unstarted, running tasks
   * finish (interrupted after the drain timeout), results confirmed and acked.
   */
  @Override
  void close();
}
