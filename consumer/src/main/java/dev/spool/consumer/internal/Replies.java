package dev.spool.consumer.internal;

import dev.spool.core.RemoteError;
import dev.spool.core.SpoolException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a task's result to its reply queue and settles the delivery once the result is confirmed:
 * ack for a result, reject (no requeue) for bad input. When the result cannot be published the
 * delivery goes back to the queue.
 */
final class Replies {
  private static final Logger log = LoggerFactory.getLogger(Replies.class);

  private final ConfirmingPublisher publisher;
  private final Acks acks;
  private final JsonCodec codec;
  private final String workerId;
  private final dev.spool.state.SharedState state;

  Replies(
      ConfirmingPublisher publisher,
      Acks acks,
      JsonCodec codec,
      String workerId,
      dev.spool.state.SharedState state) {
    this.publisher = publisher;
    this.acks = acks;
    this.codec = codec;
    this.workerId = workerId;
    this.state = state;
  }

  dev.spool.state.SharedState state() {
    return state;
  }

  String workerId() {
    return workerId;
  }

  JsonCodec codec() {
    return codec;
  }

  /** Sends a value and acks the task once the broker has the result. */
  void success(TaskMessage task, long tag, byte[] json) {
    send(task, tag, new TaskResult(task.id(), true, workerId, json), () -> acks.ack(tag));
  }

  /** Sends the handler's error and acks the task: the task ran, and failed. */
  void failure(TaskMessage task, long tag, Throwable error, Integer element) {
    RemoteError remote = RemoteError.of(error, workerId, element);
    send(task, tag, errorResult(task, remote), () -> acks.ack(tag));
  }

  /** Tells the producer its input was bad and rejects the delivery without requeue. */
  void badInput(TaskMessage task, long tag, Throwable error) {
    // No stack: the fault is in the message, not in code the producer could look at.
    RemoteError remote =
        new RemoteError(error.getClass().getName(), error.getMessage(), null, workerId, null);
    send(task, tag, errorResult(task, remote), () -> acks.reject(tag, false));
  }

  private TaskResult errorResult(TaskMessage task, RemoteError remote) {
    return new TaskResult(task.id(), false, workerId, codec.encode(remote));
  }

  private void send(TaskMessage task, long tag, TaskResult result, Runnable settle) {
    if (task.replyTo() == null || task.replyTo().isEmpty()) {
      settle.run(); // nobody waits for this result
      return;
    }
    try {
      publisher.publish(task.replyTo(), result.toProperties(), result.body(), settle);
    } catch (SpoolException e) {
      log.warn(
          "could not send the result of task {} ({}); returning it to the queue",
          task.id(),
          e.getMessage());
      acks.reject(tag, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acks.reject(tag, true);
    }
  }

  Acks acks() {
    return acks;
  }
}
