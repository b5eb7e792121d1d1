package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.spool.consumer.HandlerRegistry;
import dev.spool.consumer.HandlerRegistry.RegisteredTask;
import dev.spool.core.SpoolException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.MalformedMessageException;
import dev.spool.core.wire.PoisonPill;
import dev.spool.core.wire.TaskMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes deliveries off the consuming channel without blocking: pills stop the consumer, bad input
 * is rejected, tasks go to the worker pool. Runs on the client's dispatch thread, one delivery at a
 * time.
 */
public final class DeliveryDispatcher extends DefaultConsumer {
  private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

  private final HandlerRegistry registry;
  private final Executor workers;
  private final Replies replies;
  private final Counters counters;
  private final Clock clock;
  private final Instant startedAt;
  private final Consumer<String> stopRequest;
  private final Consumer<String> channelLost;
  private volatile boolean stopping;

  /**
   * @param stopRequest called once with the reason when a pill that applies arrives
   * @param channelLost called when the broker closes the channel for good
   */
  public DeliveryDispatcher(
      Channel channel,
      HandlerRegistry registry,
      Executor workers,
      ConfirmingPublisher publisher,
      String workerId,
      dev.spool.state.SharedState state,
      dev.spool.core.wire.JsonCodec codec,
      Counters counters,
      Clock clock,
      Consumer<String> stopRequest,
      Consumer<String> channelLost) {
    super(channel);
    this.registry = registry;
    this.workers = workers;
    this.replies = new Replies(publisher, new Acks(channel), codec, workerId, state);
    this.counters = counters;
    this.clock = clock;
    // Millisecond precision, like a pill's issue time: a pill from the same millisecond applies.
    this.startedAt = Instant.ofEpochMilli(clock.millis());
    this.stopRequest = stopRequest;
    this.channelLost = channelLost;
  }

  /** From now on, deliveries go straight back to the queue. */
  public void stopTaking() {
    stopping = true;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long tag = envelope.getDeliveryTag();
    if (PoisonPill.isPill(props)) {
      handlePill(tag, props);
      return;
    }
    if (stopping) {
      handBack(tag);
      return;
    }
    counters.received.increment();
    TaskMessage task;
    try {
      task = TaskMessage.from(props, body);
    } catch (MalformedMessageException | ArithmeticException e) {
      counters.rejected.increment();
      log.warn(
          "delivery {} (message id {}) is not a task, rejected: {}",
          tag,
          props.getMessageId(),
          e.getMessage());
      replies.acks().reject(tag, false);
      return;
    }
    if (task.deadline() != null && clock.instant().isAfter(task.deadline())) {
      counters.expired.increment();
      log.info(
          "task {} ({}) dropped: its producer stopped waiting at {}",
          task.id(),
          task.name(),
          task.deadline());
      replies.acks().ack(tag);
      return;
    }
    Optional<RegisteredTask<?, ?>> registered = registry.find(task.name());
    if (registered.isEmpty()) {
      counters.rejected.increment();
      log.warn(
          "task {} names unknown task '{}', rejected; known: {}",
          task.id(),
          task.name(),
          registry.names());
      replies.badInput(
          task,
          tag,
          new SpoolException(
              "unknown task '" + task.name() + "'; this consumer knows " + registry.names()));
      return;
    }
    try {
      workers.execute(
          new TaskExecution(
              task, registered.get(), tag, envelope.isRedeliver(), replies, counters));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      handBack(tag); // stopping: the pool no longer takes work
    }
  }

  /** Returns an unstarted delivery to the queue. */
  public void handBack(long tag) {
    counters.handedBack.increment();
    replies.acks().reject(tag, true);
  }

  private void handlePill(long tag, AMQP.BasicProperties props) {
    PoisonPill pill;
    try {
      pill = PoisonPill.from(props);
    } catch (MalformedMessageException e) {
      log.warn("malformed poison pill rejected: {}", e.getMessage());
      replies.acks().reject(tag, false);
      return;
    }
    if (!pill.appliesToConsumerStartedAt(startedAt)) {
      counters.stalePills.increment();
      log.info(
          "dropped pill {} issued at {}, before this consumer started ({})",
          pill.id(),
          pill.issuedAt(),
          startedAt);
      replies.acks().ack(tag);
      return;
    }
    if (stopping) {
      replies.acks().reject(tag, true); // meant for another consumer
      return;
    }
    stopping = true;
    replies.acks().ack(tag);
    stopRequest.accept("poison pill " + pill.id() + " from " + pill.sender());
  }

  @Override
  public void handleCancel(String consumerTag) {
    channelLost.accept("the broker cancelled the subscription (queue deleted?)");
  }

  @Override
  public void handleShutdownSignal(String consumerTag, ShutdownSignalException sig) {
    if (sig.isInitiatedByApplication() || stopping) {
      return;
    }
    if (!sig.isHardError()) {
      // A channel error is not recovered automatically: without a channel we cannot work.
      channelLost.accept("the broker closed the channel: " + sig.getMessage());
    } else {
      log.warn("connection lost ({}); recovering", sig.getMessage());
    }
  }
}
