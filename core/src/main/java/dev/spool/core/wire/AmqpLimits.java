package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.LongString;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * What AMQP 0-9-1 can carry, checked before a message is handed to the client: a short string (a
 * routing key, a message id, a type, a reply-to, a header name) holds at most {@value #SHORTSTR}
 * bytes of UTF-8, and a header value is one of the field-table types. The client would find out
 * only while encoding the frame, after it has numbered the publish for confirms, so the numbering
 * would no longer match the broker's and later confirms would go to the wrong messages.
 */
public final class AmqpLimits {
  /** The most bytes of UTF-8 in an AMQP short string. */
  public static final int SHORTSTR = 255;

  private AmqpLimits() {}

  /**
   * Checks that {@code routingKey} and {@code props} can be encoded.
   *
   * @throws IllegalArgumentException naming the field that cannot
   */
  public static void check(String routingKey, AMQP.BasicProperties props) {
    shortstr("the routing key (queue name)", routingKey);
    if (props == null) return;
    shortstr("message_id (the task id)", props.getMessageId());
    shortstr("type (the task name)", props.getType());
    shortstr("correlation_id", props.getCorrelationId());
    shortstr("reply_to", props.getReplyTo());
    shortstr("content_type", props.getContentType());
    shortstr("content_encoding", props.getContentEncoding());
    shortstr("expiration", props.getExpiration());
    shortstr("user_id", props.getUserId());
    shortstr("app_id", props.getAppId());
    shortstr("cluster_id", props.getClusterId());
    table("header", props.getHeaders(), 0);
  }

  /** True when {@code s} fits an AMQP short string. */
  public static boolean fitsShortstr(String s) {
    // A char is at most 3 bytes of UTF-8 (a surrogate pair is 4 for 2): short ones need no count.
    return s.length() <= SHORTSTR / 3 || s.getBytes(StandardCharsets.UTF_8).length <= SHORTSTR;
  }

  private static void shortstr(String what, String s) {
    if (s != null && !fitsShortstr(s)) {
      throw new IllegalArgumentException(
          what
              + " is "
              + s.getBytes(StandardCharsets.UTF_8).length
              + " bytes of UTF-8; AMQP carries at most "
              + SHORTSTR
              + ": '"
              + s.substring(0, 40)
              + "...'");
    }
  }

  private static void table(String what, Map<String, Object> table, int depth) {
    if (table == null) return;
    if (depth > 8) throw new IllegalArgumentException(what + " tables are nested too deep");
    for (Map.Entry<String, Object> e : table.entrySet()) {
      // Every publish passes here, producers' and consumers': the names for an error are built
      // only for one.
      String key = e.getKey();
      if (!fitsShortstr(key)) shortstr(what + " name", key);
      Object v = e.getValue();
      if (!scalar(v)) value(what + " '" + key + "'", v, depth);
    }
  }

  private static boolean scalar(Object v) {
    return v == null
        || v instanceof String
        || v instanceof LongString
        || v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte
        || v instanceof Boolean
        || v instanceof Double
        || v instanceof Float
        || v instanceof BigDecimal
        || v instanceof Date
        || v instanceof byte[];
  }

  @SuppressWarnings("unchecked")
  private static void value(String what, Object v, int depth) {
    if (scalar(v)) return;
    if (v instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!(k instanceof String))
          throw new IllegalArgumentException(what + ": a key is not text");
      }
      table(what, (Map<String, Object>) m, depth + 1);
      return;
    }
    if (v instanceof List<?> list) {
      for (Object item : list) value(what, item, depth + 1);
      return;
    }
    throw new IllegalArgumentException(
        what + " is a " + v.getClass().getName() + ", which AMQP headers cannot carry");
  }
}
