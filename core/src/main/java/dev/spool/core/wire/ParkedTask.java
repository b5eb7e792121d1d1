package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;

/**
 * A delayed task as it waits in Redis ({@code dev.spool.state.internal.SharedSchedule}) until it is
 * due: the message a producer would have published, as JSON (the body in base64).
 *
 * @param id the task id (message id)
 * @param name the task name (message type)
 * @param replyTo the reply queue, or null
 * @param headers the message's headers (strings and numbers)
 * @param body the JSON body
 */
public record ParkedTask(
    String id, String name, String replyTo, Map<String, Object> headers, byte[] body) {
  private static final JsonCodec CODEC = new JsonCodec();

  /** The task a producer built, parked. */
  public static ParkedTask of(AMQP.BasicProperties props, byte[] body) {
    return new ParkedTask(
        props.getMessageId(), props.getType(), props.getReplyTo(), props.getHeaders(), body);
  }

  public String toJson() {
    return new String(CODEC.encode(this), StandardCharsets.UTF_8);
  }

  /**
   * @throws dev.spool.core.SpoolCodecException when {@code json} is not a parked task
   */
  public static ParkedTask fromJson(String json) {
    return CODEC.decode(json.getBytes(StandardCharsets.UTF_8), ParkedTask.class);
  }

  /** Its priority (0 to 9): the {@link Headers#PRIORITY} header, 0 without one. */
  public int priority() {
    Object p = headers == null ? null : headers.get(Headers.PRIORITY);
    if (!(p instanceof Number n)) return 0;
    return (int) Math.max(0, Math.min(Topology.MAX_PRIORITY, n.longValue()));
  }

  /**
   * Whether it goes to the urgent lane when due, ahead of the work queue's backlog: it has a
   * priority, or it waited for a start slot booked under a rate limit ({@link Headers#RATE_SLOT}),
   * whose time has come and which would be missed behind tasks not yet booked.
   */
  public boolean urgent() {
    return priority() > 0 || (headers != null && headers.containsKey(Headers.RATE_SLOT));
  }

  /** The properties to publish it with, now that it is due. */
  public AMQP.BasicProperties toProperties() {
    int priority = priority();
    return new AMQP.BasicProperties.Builder()
        .messageId(id)
        .correlationId(id)
        .type(name)
        .replyTo(replyTo)
        .contentType("application/json")
        .deliveryMode(2)
        .priority(priority == 0 ? null : priority)
        .timestamp(new Date())
        .headers(headers)
        .build();
  }
}
