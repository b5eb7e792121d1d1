package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import dev.spool.core.DeadLetter;
import dev.spool.core.RemoteError;
import dev.spool.core.SpoolCodecException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Dead letters on the wire: the properties a consumer writes on a dead letter, and how a message
 * read from a dead-letter queue becomes a {@link DeadLetter}, whether Spool or the broker
 * dead-lettered it.
 */
public final class DeadLetterCodec {
  private DeadLetterCodec() {}

  /**
   * The properties of a dead letter made from a delivery's {@code original} properties: everything
   * kept (so that a replay is the same task), plus the reason, error, attempts, worker and time.
   */
  public static AMQP.BasicProperties properties(
      AMQP.BasicProperties original,
      DeadLetter.Reason reason,
      RemoteError error,
      int attempts,
      String worker,
      Instant at,
      String queue,
      JsonCodec codec) {
    Map<String, Object> headers =
        original.getHeaders() == null ? new HashMap<>() : new HashMap<>(original.getHeaders());
    headers.put(Headers.DEAD_REASON, reason.toString());
    if (error != null) headers.put(Headers.DEAD_ERROR, codec.asString(error));
    headers.put(Headers.DEAD_ATTEMPTS, attempts);
    headers.put(Headers.DEAD_WORKER, worker);
    headers.put(Headers.DEAD_AT, at.toEpochMilli());
    if (queue != null) headers.put(Headers.DEAD_QUEUE, queue);
    return original.builder().deliveryMode(2).headers(headers).build();
  }

  /** Reads a message from a dead-letter queue, whether Spool or the broker dead-lettered it. */
  public static DeadLetter from(AMQP.BasicProperties props, byte[] body, JsonCodec codec) {
    Map<String, Object> h = props.getHeaders() == null ? Map.of() : props.getHeaders();
    String reason = Headers.string(h, Headers.DEAD_REASON);
    Long attempt = Headers.numberOrNull(h, Headers.ATTEMPT);
    if (reason != null) {
      Long attempts = Headers.numberOrNull(h, Headers.DEAD_ATTEMPTS);
      Long at = Headers.numberOrNull(h, Headers.DEAD_AT);
      return new DeadLetter(
          props.getMessageId(),
          props.getType(),
          DeadLetter.Reason.parse(reason),
          error(Headers.string(h, Headers.DEAD_ERROR), codec),
          attempts == null ? 0 : attempts.intValue(),
          Headers.string(h, Headers.DEAD_WORKER),
          at == null ? null : Instant.ofEpochMilli(at),
          Headers.string(h, Headers.DEAD_QUEUE),
          props,
          body);
    }
    // Dead-lettered by the broker: the newest x-death entry says why and from where.
    Map<?, ?> death = newestDeath(h);
    String why = death == null ? "unknown" : String.valueOf(death.get("reason"));
    String from = death == null ? null : String.valueOf(death.get("queue"));
    Instant at = death != null && death.get("time") instanceof Date d ? d.toInstant() : null;
    Long delivered = Headers.numberOrNull(h, Headers.DELIVERY_COUNT);
    boolean limit = why.equals("delivery_limit");
    String message =
        limit
            ? DeadLetter.deliveryLimitMessage(delivered == null ? null : delivered + 1)
            : "the broker dead-lettered it from " + from + " (" + why + ")";
    return new DeadLetter(
        props.getMessageId(),
        props.getType(),
        limit ? DeadLetter.Reason.DELIVERY_LIMIT : DeadLetter.Reason.BROKER,
        new RemoteError("broker:" + why, message, null, "broker", null),
        delivered == null ? (attempt == null ? 0 : attempt.intValue()) : delivered.intValue() + 1,
        "broker",
        at,
        shortName(from),
        props,
        body);
  }

  private static Map<?, ?> newestDeath(Map<String, Object> h) {
    if (h.get(Headers.X_DEATH) instanceof List<?> deaths
        && !deaths.isEmpty()
        && deaths.getFirst() instanceof Map<?, ?> m) {
      return m;
    }
    return null;
  }

  private static String shortName(String queue) {
    if (queue == null) return null;
    int work = queue.indexOf(".work.");
    return work < 0 ? null : queue.substring(work + ".work.".length());
  }

  private static RemoteError error(String json, JsonCodec codec) {
    if (json == null) return null;
    try {
      return codec.decode(json.getBytes(StandardCharsets.UTF_8), RemoteError.class);
    } catch (SpoolCodecException e) {
      return new RemoteError("unreadable", json, null, null, null);
    }
  }
}
