package dev.spool.core;

import com.rabbitmq.client.AMQP;
import dev.spool.core.wire.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A task in a dead-letter queue, and why it is there. Consumers write dead letters as the original
 * message with {@code spool-dead-*} headers added. The broker writes its own when a quorum queue's
 * delivery limit ends a task that kept killing its consumer; those carry an {@code x-death} header
 * instead, which is read too.
 *
 * @param taskId the task id ({@code message_id}), or null when the message had none
 * @param taskName the task name ({@code type}), or null
 * @param reason why it was dead-lettered
 * @param error the last error, or null
 * @param attempts attempts made (handler runs, or deliveries for a delivery limit)
 * @param worker the consumer that dead-lettered it, or {@code broker}
 * @param at when
 * @param queue the short name of the work queue it came from, or null when unknown
 * @param properties the message's properties, as stored
 * @param body the task's JSON body, unchanged
 */
public record DeadLetter(
    String taskId,
    String taskName,
    Reason reason,
    RemoteError error,
    int attempts,
    String worker,
    Instant at,
    String queue,
    AMQP.BasicProperties properties,
    byte[] body) {

  /** Why a task was dead-lettered. */
  public enum Reason {
    /** The body or the properties could not be read. */
    DECODE_ERROR,
    /** No handler for the task's name. */
    UNKNOWN_TASK,
    /** The body was over the size limit. */
    TOO_LARGE,
    /** The handler failed on every attempt its retry policy allowed. */
    RETRIES_EXHAUSTED,
    /** The handler threw an exception marked not retryable. */
    NOT_RETRYABLE,
    /**
     * Returned unacked more often than the work queue's delivery limit: its consumers died or lost
     * their connection while they held it (ran it, or had it waiting beside another task).
     */
    DELIVERY_LIMIT,
    /** Its consumer died each time it ran alone, nothing else beside it: it kills its consumer. */
    CRASHED,
    /** Dead-lettered by the broker for another reason (rejected, expired, overflow). */
    BROKER;

    /** The header value: {@code decode-error}, {@code retries-exhausted}, ... */
    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason a header value names; {@link #BROKER} for any other. */
    public static Reason parse(String value) {
      for (Reason r : values()) {
        if (r.toString().equals(value)) return r;
      }
      return BROKER;
    }
  }

  /**
   * The properties for putting this task back on its work queue: the dead-letter headers, the
   * broker's death records and the deadline removed, attempts starting again from 1.
   */
  public AMQP.BasicProperties replayProperties() {
    Map<String, Object> headers =
        properties.getHeaders() == null ? new HashMap<>() : new HashMap<>(properties.getHeaders());
    headers.keySet().removeIf(k -> k.startsWith("spool-dead-") || k.startsWith("x-"));
    headers.remove(Headers.DEADLINE);
    headers.remove(Headers.REQUEUES);
    headers.put(Headers.ATTEMPT, 1);
    // Whoever replays it wants it run, whether or not its first producer still waits.
    headers.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    return properties.builder().deliveryMode(2).headers(headers).build();
  }

  /** Why a task reached the delivery limit, for {@code deliveries} deliveries (null: unknown). */
  public static String deliveryLimitMessage(Long deliveries) {
    return "delivered "
        + (deliveries == null ? "repeatedly" : deliveries + " times")
        + " without an ack: the consumers holding it died or lost their connection each time,"
        + " while it ran or waited beside other tasks (a task that kills its consumer is"
        + " dead-lettered as 'crashed')";
  }

  /** Why a task was dead-lettered as {@link Reason#CRASHED}. */
  public static String crashedMessage(long times) {
    return "its consumer died each of the "
        + times
        + " times it ran alone, nothing beside it: it kills the consumer's JVM (System.exit,"
        + " Runtime.halt, a native crash, running out of memory); the tasks beside it were not"
        + " blamed";
  }

  /** The first {@code max} characters of the body, for listings. */
  public String bodyPreview(int max) {
    String s = new String(body, StandardCharsets.UTF_8);
    return s.length() <= max ? s : s.substring(0, max) + "... (" + body.length + " bytes)";
  }
}
