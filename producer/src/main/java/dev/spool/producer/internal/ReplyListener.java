package dev.spool.producer.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.spool.core.wire.MalformedMessageException;
import dev.spool.core.wire.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads results off the pool's reply queue and hands them to {@link PendingTasks}, acking each once
 * handed over, so that a result in flight when the connection drops is delivered again after
 * recovery rather than lost. Never blocks.
 */
public final class ReplyListener extends DefaultConsumer {
  private static final Logger log = LoggerFactory.getLogger(ReplyListener.class);
  private final PendingTasks pending;

  public ReplyListener(Channel channel, PendingTasks pending) {
    super(channel);
    this.pending = pending;
  }

  @Override
  public void handleDelivery(
      String consumerTag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
    try {
      pending.complete(TaskResult.from(props, body));
    } catch (MalformedMessageException e) {
      log.warn("ignored a message on the reply queue that is not a result: {}", e.getMessage());
    }
    try {
      getChannel().basicAck(envelope.getDeliveryTag(), false);
    } catch (java.io.IOException | RuntimeException e) {
      // The channel is gone: the broker delivers the result again, and a duplicate is dropped.
      log.debug("could not ack a result ({})", e.toString());
    }
  }
}
