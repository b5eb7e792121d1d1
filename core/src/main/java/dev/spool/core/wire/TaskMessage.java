package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One task on the wire: the JSON argument (or, for a chunk, a JSON array of arguments) plus its
 * metadata. Immutable.
 *
 * @param id unique task id, sent as {@code message_id} (and {@code correlation_id})
 * @param name the task name, sent as {@code type}; selects the handler
 * @param replyTo the queue the result goes to
 * @param attempt 1 for the first attempt
 * @param position index of the first input in its map (0 for a single task)
 * @param chunk number of inputs in the body's array, or 0 when the body is a single argument
 * @param deadline when the producer stops waiting, or null for no deadline
 * @param sender the producer that published it
 * @param body the JSON body
 */
public record TaskMessage(
    String id,
    String name,
    String replyTo,
    int attempt,
    long position,
    int chunk,
    Instant deadline,
    String sender,
    byte[] body) {

  /** The highest attempt number a task may carry; a header above it is malformed. */
  public static final int MAX_ATTEMPT = 1_000_000;

  /** Epoch milliseconds of 9999-12-31: a deadline past it is malformed. */
  private static final long MAX_EPOCH_MILLI = 253_402_300_799_999L;

  public TaskMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(body, "body");
    if (attempt < 1) throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    if (chunk < 0) throw new IllegalArgumentException("chunk must be >= 0, was " + chunk);
  }

  /** True when the body is a JSON array of {@link #chunk()} inputs. */
  public boolean isChunk() {
    return chunk > 0;
  }

  /** The AMQP properties: persistent, JSON, with the metadata described in {@link Headers}. */
  public AMQP.BasicProperties toProperties() {
    Map<String, Object> headers = new HashMap<>();
    headers.put(Headers.KIND, Headers.KIND_TASK);
    headers.put(Headers.ATTEMPT, attempt);
    headers.put(Headers.POSITION, position);
    if (chunk > 0) headers.put(Headers.CHUNK, chunk);
    if (deadline != null) headers.put(Headers.DEADLINE, deadline.toEpochMilli());
    if (sender != null) headers.put(Headers.SENDER, sender);
    if (replyTo != null) headers.put(Headers.REPLIES, Headers.REPLIES_BATCH);
    return new AMQP.BasicProperties.Builder()
        .messageId(id)
        .correlationId(id)
        .type(name)
        .replyTo(replyTo)
        .contentType("application/json")
        .deliveryMode(2)
        .timestamp(new Date())
        .headers(headers)
        .build();
  }

  /**
   * Reads a task from a delivery.
   *
   * @throws MalformedMessageException when a required property is missing
   */
  public static TaskMessage from(AMQP.BasicProperties props, byte[] body) {
    Map<String, Object> h = props.getHeaders();
    String id = props.getMessageId();
    if (id == null || id.isBlank()) throw new MalformedMessageException("task has no message_id");
    String name = props.getType();
    if (name == null || name.isBlank()) {
      throw new MalformedMessageException("task " + id + " has no type (task name)");
    }
    long attempt = inRange(h, Headers.ATTEMPT, 1, 1, MAX_ATTEMPT);
    long position = inRange(h, Headers.POSITION, 0, 0, Long.MAX_VALUE);
    long chunk = inRange(h, Headers.CHUNK, 0, 0, Integer.MAX_VALUE);
    Long deadline = Headers.number(h, Headers.DEADLINE);
    if (deadline != null && (deadline < 0 || deadline > MAX_EPOCH_MILLI)) {
      throw new MalformedMessageException(
          "header " + Headers.DEADLINE + " is not a time in epoch milliseconds: " + deadline);
    }
    return new TaskMessage(
        id,
        name,
        props.getReplyTo(),
        (int) attempt,
        position,
        (int) chunk,
        deadline == null ? null : Instant.ofEpochMilli(deadline),
        Headers.string(h, Headers.SENDER),
        body == null ? new byte[0] : body);
  }

  /** Header {@code name} as a number from {@code min} to {@code max}; {@code absent} if missing. */
  private static long inRange(Map<String, Object> h, String name, long absent, long min, long max) {
    Long v = Headers.number(h, name);
    if (v == null) return absent;
    if (v < min || v > max) {
      throw new MalformedMessageException(
          "header " + name + " is " + v + ", outside " + min + ".." + max);
    }
    return v;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TaskMessage t
        && id.equals(t.id)
        && name.equals(t.name)
        && Objects.equals(replyTo, t.replyTo)
        && attempt == t.attempt
        && position == t.position
        && chunk == t.chunk
        && Objects.equals(deadline, t.deadline)
        && Objects.equals(sender, t.sender)
        && java.util.Arrays.equals(body, t.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, name, attempt, position, chunk);
  }

  @Override
  public String toString() {
    return "TaskMessage[id=%s, name=%s, attempt=%d, position=%d, chunk=%d, bytes=%d]"
        .formatted(id, name, attempt, position, chunk, body.length);
  }
}
