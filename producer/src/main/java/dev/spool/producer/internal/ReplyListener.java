package dev.spool.producer.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.MalformedMessageException;
import dev.spool.core.wire.ResultBatch;
import dev.spool.core.wire.StageEvents;
import dev.spool.core.wire.TaskResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads results off the pool's reply queue and hands them to {@link PendingTasks}: one to a
 * message, or several ({@link ResultBatch}, which the pool's tasks ask for). A message is acked
 * only once its results are handed over, so that one in flight when the connection drops is
 * delivered again after recovery rather than lost. Acks are coalesced: one {@code
 * basic.ack(multiple)} per {@value #ACK_EVERY} messages (of one result or several), and a last one
 * {@value #ACK_DELAY_MS} ms after a burst ends. Never blocks.
 */
public final class ReplyListener extends DefaultConsumer {
  private static final Logger log = LoggerFactory.getLogger(ReplyListener.class);
  static final int ACK_EVERY = 64;
  static final long ACK_DELAY_MS = 5;

  private final PendingTasks pending;
  private final JsonCodec codec;
  private final Executor later =
      CompletableFuture.delayedExecutor(ACK_DELAY_MS, TimeUnit.MILLISECONDS);
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private volatile long handled; // the last delivery tag handed over
  private long acked; // guarded by this

  public ReplyListener(Channel channel, PendingTasks pending, JsonCodec codec) {
    super(channel);
    this.pending = pending;
    this.codec = codec;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    long arrived = System.nanoTime(); // for StageEvents
    try {
      for (TaskResult r : ResultBatch.results(props, body, codec)) {
        StageEvents.result(r.taskId(), arrived);
        pending.complete(r);
      }
    } catch (MalformedMessageException e) {
      log.warn("ignored a message on the reply queue that is not a result: {}", e.getMessage());
    }
    long tag = envelope.getDeliveryTag();
    handled = tag;
    if (tag - ackedSoFar() >= ACK_EVERY) {
      ackHandled();
    } else if (flushScheduled.compareAndSet(false, true)) {
      later.execute(
          () -> {
            flushScheduled.set(false);
            ackHandled();
          });
    }
  }

  private synchronized long ackedSoFar() {
    return acked;
  }

  /** Acks every delivery handed over so far, once. */
  private synchronized void ackHandled() {
    long upTo = handled;
    if (upTo <= acked) return;
    try {
      getChannel().basicAck(upTo, true);
      acked = upTo;
    } catch (java.io.IOException | RuntimeException e) {
      // The channel is gone: the broker delivers the results again, and duplicates are dropped.
      log.debug("could not ack results ({})", e.toString());
    }
  }
}
