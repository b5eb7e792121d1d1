package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.spool.HandlerRegistry;
import dev.spool.HandlerRegistry.RegisteredTask;
import dev.spool.SpoolException;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.MalformedMessageException;
import dev.spool.core.wire.PoisonPill;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes deliveries off the consuming channel without blocking: pills stop the consumer; bad input
 * (too large, not a task, an unknown task) and tasks past the delivery limit are dead-lettered;
 * tasks go to the worker pool. Runs on the client's dispatch thread, one delivery at a time.
 */
public final class DeliveryDispatcher extends DefaultConsumer {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

  private final HandlerRegistry registry;
  private final WorkerPool workers;
  private final ScheduledExecutorService timer;
  private final Outcomes outcomes;
  private final Counters counters;
  private final Clock clock;
  private final Instant startedAt;
  private volatile Clock sharedClock; // the Redis server's, or null
  private volatile Instant startedAtShared;
  private final StopSignals stops;
  private final Cancellations cancellations;

  /** A pill dated further ahead of this consumer's clock than this is warned about. */
  private static final Duration CLOCK_TOLERANCE = Duration.ofSeconds(2);

  /**
   * A pill dated further ahead than this is dropped, not obeyed: it would stop every consumer
   * started before its date, later ones included (a pill made by hand, or by a host whose clock is
   * far off).
   */
  static final Duration MAX_PILL_AHEAD = Duration.ofMinutes(1);

  /** A stale pill dated this little before the consumer started is warned about. */
  private static final Duration RECENT_PILL = Duration.ofMinutes(1);

  private volatile boolean stopping;

  /** Where the dispatcher tells its consumer to stop. */
  public interface StopSignals {
    /** A pill that applies arrived: stop cleanly, with {@code why}. */
    void stopRequested(String why);

    /** The broker closed the channel or cancelled the subscription for good. */
    void channelLost(String why);
  }

  /**
   * Where and how outcomes are settled: results and dead letters are published through {@code
   * publisher}, delay queues declared on {@code declarations}, by the queue layout of {@code
   * topology} and the consumer's {@code settings}.
   */
  public record Settlement(
      ConfirmingPublisher publisher,
      Channel declarations,
      Topology topology,
      ConsumerConfig settings,
      int maxMessageBytes,
      String workerId,
      RedisState state,
      JsonCodec codec) {}

  public DeliveryDispatcher(
      Channel channel,
      HandlerRegistry registry,
      WorkerPool workers,
      ScheduledExecutorService timer,
      Settlement settlement,
      Counters counters,
      Clock clock,
      StopSignals stops,
      Cancellations cancellations) {
    this(
        channel,
        registry,
        workers,
        timer,
        outcomesOf(channel, settlement, counters, clock),
        counters,
        clock,
        stops,
        cancellations);
  }

  /** With the outcomes its deliveries are settled through (a test gives them a fake broker). */
  DeliveryDispatcher(
      Channel channel,
      HandlerRegistry registry,
      WorkerPool workers,
      ScheduledExecutorService timer,
      Outcomes outcomes,
      Counters counters,
      Clock clock,
      StopSignals stops,
      Cancellations cancellations) {
    super(channel);
    this.cancellations = cancellations;
    this.registry = registry;
    this.workers = workers;
    this.timer = timer;
    this.outcomes = outcomes;
    this.counters = counters;
    this.clock = clock;
    // Millisecond precision, like a pill's issue time: a pill from the same millisecond applies.
    this.startedAt = Instant.ofEpochMilli(clock.millis());
    this.stops = stops;
  }

  private static Outcomes outcomesOf(
      Channel channel, Settlement settlement, Counters counters, Clock clock) {
    Topology topology = settlement.topology();
    return new Outcomes(
        settlement.publisher(),
        new Acks(channel),
        settlement.codec(),
        settlement.workerId(),
        settlement.state(),
        topology,
        settlement.declarations(),
        settlement.settings(),
        counters,
        clock,
        settlement.maxMessageBytes(),
        ReplyQueues.on(
            channel.getConnection(),
            clock,
            topology.replicatedReplies() ? ReplyQueues.CLUSTER_GRACE : ReplyQueues.GRACE));
  }

  /**
   * Judges pills dated by the Redis server's clock ({@link PoisonPill#CLOCK_REDIS}) by {@code
   * redisClock}: this consumer's start is dated by it now. Call before consuming.
   */
  public void datePillsBy(Clock redisClock) {
    this.startedAtShared = Instant.ofEpochMilli(redisClock.millis());
    this.sharedClock = redisClock;
  }

  /**
   * Waits until the results handed over so far were confirmed, at most {@code timeout}; false when
   * some were not.
   */
  public boolean awaitReplies(java.time.Duration timeout) throws InterruptedException {
    return outcomes.awaitReplies(timeout);
  }

  /** Sends the acks still waiting to be coalesced; call before closing the channel. */
  public void flushAcks() {
    outcomes.acks().close();
  }

  /** Dead-letters a delayed task that cannot be published ({@link DelayedMover.DeadLetterSink}). */
  public void deadLetterParked(
      dev.spool.core.wire.ParkedTask task, String why, Runnable onConfirmed)
      throws InterruptedException {
    outcomes.deadLetterParked(task, why, onConfirmed);
  }

  /** Stops what the dispatcher runs between deliveries; after {@link #flushAcks}. Idempotent. */
  public void close() {
    outcomes.close();
  }

  /** From now on, deliveries go straight back to the queue. */
  public void stopTaking() {
    stopping = true;
  }

  private volatile boolean paused;

  /**
   * While paused, task deliveries (those already on their way when the subscription was cancelled)
   * go straight back to the queue; pills still count.
   */
  public void paused(boolean paused) {
    this.paused = paused;
  }

  /**
   * Never throws: an exception here would make the client close the consuming channel, leaving the
   * process alive and idle. A delivery that breaks this code is dead-lettered with the reason.
   */
  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long delivered = System.nanoTime(); // for StageEvents
    long tag = envelope.getDeliveryTag();
    outcomes.acks().delivered(tag);
    try {
      dispatch(tag, envelope, props, body, delivered);
    } catch (RuntimeException e) {
      deadLetterUnusable(tag, envelope, props, body, e);
    }
  }

  private void deadLetterUnusable(
      long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body, RuntimeException e) {
    log.warn("delivery {} cannot be used ({}); dead-lettering it", tag, e.toString());
    try {
      Delivery d =
          new Delivery(tag, props, body == null ? new byte[0] : body, envelope.isRedeliver());
      reject(d, Reason.DECODE_ERROR, "not a usable task: " + e.getMessage());
    } catch (RuntimeException again) {
      // Not even a dead letter of our own could be made: let the broker dead-letter it (the work
      // queue's dead-letter exchange), with its x-death record as the only reason.
      log.warn("delivery {} rejected to the broker's dead-lettering: {}", tag, again.toString());
      outcomes.acks().reject(tag, false);
    }
  }

  private void dispatch(
      long tag, Envelope envelope, AMQP.BasicProperties props, byte[] body, long delivered) {
    if (PoisonPill.isPill(props)) {
      handlePill(tag, props);
      return;
    }
    Delivery d =
        new Delivery(tag, props, body == null ? new byte[0] : body, envelope.isRedeliver());
    if (stopping || paused) {
      outcomes.handBack(d);
      return;
    }
    counters.received(d.taskName());
    if (d.body().length > outcomes.maxMessageBytes()) {
      reject(
          d,
          Reason.TOO_LARGE,
          "task body is "
              + d.body().length
              + " bytes, over the limit of "
              + outcomes.maxMessageBytes()
              + " (SPOOL_MAX_MESSAGE_SIZE)");
      return;
    }
    TaskMessage task;
    try {
      task = TaskMessage.from(props, d.body());
    } catch (MalformedMessageException e) { // anything else reaches handleDelivery's safety net
      reject(d, Reason.DECODE_ERROR, "not a task: " + e.getMessage());
      return;
    }
    if (task.deadline() != null && clock.instant().isAfter(task.deadline())) {
      counters.expired(task.name());
      log.info(
          "task {} ({}) dropped: its producer stopped waiting at {}",
          task.id(),
          task.name(),
          task.deadline());
      outcomes.acks().ack(tag);
      return;
    }
    Optional<RegisteredTask<?, ?>> registered = registry.find(task.name());
    if (registered.isEmpty()) {
      reject(
          d,
          Reason.UNKNOWN_TASK,
          "unknown task '" + task.name() + "'; this consumer knows " + registry.names());
      return;
    }
    try {
      workers.execute(
          new TaskExecution(
              task,
              d,
              registered.get(),
              outcomes,
              counters,
              timer,
              workers,
              cancellations,
              delivered));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      handBack(tag); // stopping: the pool no longer takes work
    }
  }

  /** Bad input: dead-lettered with the reason, the producer told, the consumer carries on. */
  private void reject(Delivery d, Reason reason, String message) {
    counters.rejected();
    log.warn(
        "delivery {} (task {}, {}) dead-lettered, {}: {}",
        d.tag(),
        d.taskId(),
        d.taskName(),
        reason,
        message);
    // No stack: the fault is in the message, not in code the producer could look at.
    outcomes.deadLetter(
        d,
        reason,
        new RemoteError(SpoolException.class.getName(), message, null, outcomes.workerId(), null),
        d.attempt());
  }

  /** Returns an unstarted delivery to the queue. */
  public void handBack(long tag) {
    counters.handedBack();
    outcomes.acks().reject(tag, true);
  }

  /** Returns unstarted deliveries to their queue, marked as handed back first. */
  void handBack(java.util.List<Delivery> deliveries) {
    outcomes.handBack(deliveries);
  }

  private void handlePill(long tag, AMQP.BasicProperties props) {
    PoisonPill pill;
    try {
      pill = PoisonPill.from(props);
    } catch (MalformedMessageException e) {
      log.warn("malformed poison pill dropped: {}", e.getMessage());
      outcomes.acks().ack(tag);
      return;
    }
    boolean shared = PoisonPill.CLOCK_REDIS.equals(pill.clock()) && sharedClock != null;
    Instant now = shared ? sharedClock.instant() : clock.instant();
    Instant startedAt = shared ? startedAtShared : this.startedAt;
    if (pill.issuedAt().isAfter(now.plus(MAX_PILL_AHEAD))) {
      counters.stalePill();
      log.warn(
          "dropped pill {} from {} dated {} ({} clock), {} ms ahead of this consumer's clock:"
              + " obeyed, it would also stop consumers started after now; send pills with"
              + " 'spool-producer stop', which dates them by the Redis server's clock",
          pill.id(),
          pill.sender(),
          pill.issuedAt(),
          pill.clock(),
          Duration.between(now, pill.issuedAt()).toMillis());
      outcomes.acks().ack(tag);
      return;
    }
    if (pill.issuedAt().isAfter(now.plus(CLOCK_TOLERANCE))) {
      log.warn(
          "pill {} from {} is dated {} ({} clock), {} ms ahead of this consumer's clock: clocks"
              + " disagree, and a pill left in the queue would stop consumers started later;"
              + " give the sender and this consumer the same Redis (SPOOL_REDIS_URI) so that both"
              + " use its clock",
          pill.id(),
          pill.sender(),
          pill.issuedAt(),
          pill.clock(),
          Duration.between(now, pill.issuedAt()).toMillis());
    }
    if (!pill.appliesToConsumerStartedAt(startedAt)) {
      counters.stalePill();
      Duration before = Duration.between(pill.issuedAt(), startedAt);
      if (before.compareTo(RECENT_PILL) < 0) {
        log.warn(
            "dropped pill {} from {} dated {} ({} clock), {} ms before this consumer started: if"
                + " it was sent for this consumer, the sender's clock is behind; give both the"
                + " same Redis (SPOOL_REDIS_URI) so that both use its clock",
            pill.id(),
            pill.sender(),
            pill.issuedAt(),
            pill.clock(),
            before.toMillis());
      } else {
        log.info(
            "dropped pill {} issued at {}, before this consumer started ({})",
            pill.id(),
            pill.issuedAt(),
            startedAt);
      }
      outcomes.acks().ack(tag);
      return;
    }
    if (stopping) {
      outcomes.acks().reject(tag, true); // meant for another consumer
      return;
    }
    stopping = true;
    outcomes.acks().ack(tag);
    stops.stopRequested("poison pill " + pill.id() + " from " + pill.sender());
  }

  @Override
  public void handleCancel(String consumerTag) {
    stops.channelLost("the broker cancelled the subscription (queue deleted?)");
  }

  /**
   * A channel closed while this consumer is not stopping is lost for good, whoever closed it (the
   * broker, or the client after an exception in a callback): the process must end, non-zero, so
   * that its supervisor starts another, never stay alive and idle. A lost connection recovers.
   */
  @Override
  public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
    if (stopping) {
      return;
    }
    if (sig.isInitiatedByApplication() && !sig.isHardError()) {
      stops.channelLost("the client closed the consuming channel: " + sig.getMessage());
    } else if (!sig.isHardError()) {
      // A channel error is not recovered automatically: without a channel we cannot work.
      stops.channelLost("the broker closed the channel: " + sig.getMessage());
    } else {
      log.warn("connection lost ({}); recovering", sig.getMessage());
    }
  }
}
