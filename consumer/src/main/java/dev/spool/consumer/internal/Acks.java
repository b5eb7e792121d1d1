package dev.spool.consumer.internal;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acks and rejects on the consuming channel. A failure is logged, not thrown: when an ack cannot be
 * sent the channel is gone, and the broker redelivers the task, so nothing is lost.
 */
final class Acks {
  private static final Logger log = LoggerFactory.getLogger(Acks.class);
  private final Channel channel;

  Acks(Channel channel) {
    this.channel = channel;
  }

  void ack(long tag) {
    try {
      channel.basicAck(tag, false);
    } catch (IOException | RuntimeException e) {
      log.warn("could not ack delivery {} ({}); the broker will redeliver it", tag, e.toString());
    }
  }

  void reject(long tag, boolean requeue) {
    try {
      channel.basicReject(tag, requeue);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not reject delivery {} ({}); the broker will redeliver it", tag, e.toString());
    }
  }
}
