package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.TaskMessage;
import java.util.HashMap;
import java.util.Map;

/**
 * One delivery as it arrived: its tag on the consuming channel, properties and body. What is needed
 * to answer, retry or dead-letter it, even when it is not a readable task.
 */
record Delivery(long tag, AMQP.BasicProperties props, byte[] body, boolean redelivered) {

  String taskId() {
    return props.getMessageId();
  }

  String taskName() {
    return props.getType();
  }

  String replyTo() {
    return props.getReplyTo();
  }

  /** The attempt this delivery is, 1 for the first; 1 when the header is unreadable or absurd. */
  int attempt() {
    long n = number(Headers.ATTEMPT, 1);
    return n < 1 || n > TaskMessage.MAX_ATTEMPT ? 1 : (int) n;
  }

  /** Times this task was put back because a service was down; 0 when unreadable or absurd. */
  int deferrals() {
    long n = number(Headers.DEFERRALS, 0);
    return n < 0 || n > TaskMessage.MAX_ATTEMPT ? 0 : (int) n;
  }

  /** Times this task was put back because a service was down; 0 when unreadable or absurd. */
  int requeues() {
    long n = number(Headers.REQUEUES, 0);
    return n < 0 || n > TaskMessage.MAX_ATTEMPT ? 0 : (int) n;
  }

  /**
   * Whether this message came back unacked: a quorum queue counts the returns, a classic one only
   * marks it redelivered. Its consumer died or lost its connection, or handed it back unstarted.
   */
  boolean returned() {
    return redelivered || deliveryCount() > 0;
  }

  /** Times a quorum queue returned this message unacked before (its consumer died). */
  long deliveryCount() {
    return Math.max(0, number(Headers.DELIVERY_COUNT, 0));
  }

  String idempotencyKey() {
    return Headers.string(props.getHeaders(), Headers.IDEMPOTENCY_KEY);
  }

  /** The key its rate limit is counted under, or null for the task name's own. */
  String rateKey() {
    return Headers.string(props.getHeaders(), Headers.RATE_KEY);
  }

  /**
   * How long its record and result are kept in Redis ({@link Headers#KEEP_RESULT}), or null when
   * they are not, or when the header or the task id is unusable.
   */
  java.time.Duration keepResult() {
    Long ms = Headers.numberOrNull(props.getHeaders(), Headers.KEEP_RESULT);
    if (ms == null || ms < 1 || ms > dev.spool.state.internal.TaskRecords.MAX_KEEP.toMillis())
      return null;
    try {
      dev.spool.state.internal.TaskRecords.requireId(taskId());
    } catch (IllegalArgumentException e) {
      return null;
    }
    return java.time.Duration.ofMillis(ms);
  }

  /** The submission token of a kept task ({@link Headers#SUBMISSION}), or empty. */
  String submission() {
    String s = Headers.string(props.getHeaders(), Headers.SUBMISSION);
    return s != null && s.matches("[0-9a-f]{8,64}") ? s : "";
  }

  /** The workflow this task is a step of, or null (or when the headers are unusable). */
  Flow flow() {
    String id = Headers.string(props.getHeaders(), Headers.FLOW);
    Long node = Headers.numberOrNull(props.getHeaders(), Headers.FLOW_NODE);
    Long ms = Headers.numberOrNull(props.getHeaders(), Headers.FLOW_KEEP);
    if (id == null || node == null || ms == null || node < 0 || node > Integer.MAX_VALUE)
      return null;
    if (ms < 1 || ms > dev.spool.state.internal.TaskRecords.MAX_KEEP.toMillis()) return null;
    try {
      dev.spool.state.internal.TaskRecords.requireId(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return new Flow(id, node.intValue(), java.time.Duration.ofMillis(ms));
  }

  /** A workflow step's place: the workflow, its node, how long the workflow is kept. */
  record Flow(String id, int node, java.time.Duration keep) {}

  /** Whether a start slot was booked for this attempt under its rate limit. */
  boolean rateSlotBooked() {
    return number(Headers.RATE_SLOT, -1) == attempt();
  }

  /** The properties of a copy of this task with {@code header} set to {@code value}. */
  AMQP.BasicProperties with(String header, Object value) {
    Map<String, Object> h =
        props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
    h.put(header, value);
    h.keySet().removeIf(k -> k.startsWith("x-")); // the broker's own records belong to this copy
    return props.builder().deliveryMode(2).headers(h).build();
  }

  private long number(String header, long otherwise) {
    Long n = Headers.numberOrNull(props.getHeaders(), header);
    return n == null ? otherwise : n;
  }
}
