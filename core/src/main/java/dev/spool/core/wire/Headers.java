package dev.spool.core.wire;

import java.util.Map;

/** Names and readers of the {@code spool-*} AMQP headers. */
public final class Headers {
  /** {@code task} or {@code pill}. */
  public static final String KIND = "spool-kind";

  /** 1 for the first delivery attempt of a task. */
  public static final String ATTEMPT = "spool-attempt";

  /** Index of the task's first input within its map. */
  public static final String POSITION = "spool-position";

  /** Present on a chunk: how many inputs the body's JSON array holds. */
  public static final String CHUNK = "spool-chunk";

  /** Epoch milliseconds after which the producer no longer waits for the result. */
  public static final String DEADLINE = "spool-deadline";

  /** On a result: {@code ok} or {@code error}. */
  public static final String STATUS = "spool-status";

  /** On a result: the consumer that produced it. */
  public static final String WORKER = "spool-worker";

  /** On a pill: epoch milliseconds when it was issued. */
  public static final String ISSUED_AT = "spool-issued-at";

  /** The process that published a message. */
  public static final String SENDER = "spool-sender";

  public static final String KIND_TASK = "task";
  public static final String KIND_PILL = "pill";
  public static final String STATUS_OK = "ok";
  public static final String STATUS_ERROR = "error";

  private Headers() {}

  static String string(Map<String, Object> headers, String name) {
    Object v = headers == null ? null : headers.get(name);
    return v == null ? null : v.toString(); // LongString prints its text
  }

  static Long number(Map<String, Object> headers, String name) {
    Object v = headers == null ? null : headers.get(name);
    if (v instanceof Number n) {
      return n.longValue();
    }
    if (v != null) {
      try {
        return Long.parseLong(v.toString());
      } catch (NumberFormatException e) {
        throw new MalformedMessageException("header " + name + " is not a number: '" + v + "'");
      }
    }
    return null;
  }
}
