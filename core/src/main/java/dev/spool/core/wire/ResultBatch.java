package dev.spool.core.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.rabbitmq.client.AMQP;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * Several results of one consumer in one message, for a reply queue whose reader said it takes them
 * ({@link Headers#REPLIES}): results that end close together travel together, so the broker stores,
 * confirms and delivers one message for them instead of one each.
 *
 * <p>On the wire: headers {@code spool-results} (how many) and {@code spool-worker}; the body a
 * JSON array of {@code {"id": <task id>, "ok": true|false, "value": <the result's body>}}, the
 * value being what a single result's body would be (the value, or the error). Readable in the
 * dashboard, like every Spool message.
 */
public final class ResultBatch {
  private static final byte[] ID = "{\"id\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = ",\"ok\":true,\"value\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ERROR =
      ",\"ok\":false,\"value\":".getBytes(StandardCharsets.US_ASCII);

  private ResultBatch() {}

  /** True when a message on a reply queue carries several results. */
  public static boolean carriesSeveral(AMQP.BasicProperties props) {
    Map<String, Object> h = props.getHeaders();
    return h != null && h.containsKey(Headers.RESULTS);
  }

  /** The properties of a batch of {@code count} results from {@code worker}. */
  public static AMQP.BasicProperties properties(String worker, int count) {
    return new AMQP.BasicProperties.Builder()
        .contentType("application/json")
        .deliveryMode(2)
        .timestamp(new Date())
        .headers(Map.of(Headers.RESULTS, count, Headers.WORKER, worker))
        .build();
  }

  /** The size of {@code r} in a batch's body, near enough to cap a batch by. */
  public static int size(TaskResult r) {
    return r.body().length + r.taskId().length() + 32;
  }

  /** The body of a batch: each result's body written as it is, inside the array. */
  public static byte[] body(List<TaskResult> results, JsonCodec codec) {
    int size = 2;
    for (TaskResult r : results) size += size(r);
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    boolean first = true;
    for (TaskResult r : results) {
      if (!first) out.write(',');
      first = false;
      out.writeBytes(ID);
      out.writeBytes(codec.encode(r.taskId()));
      out.writeBytes(r.ok() ? OK : ERROR);
      out.writeBytes(r.body());
      out.write('}');
    }
    out.write(']');
    return out.toByteArray();
  }

  /**
   * The results a message on a reply queue carries: several ({@link #read}), or one ({@link
   * TaskResult#from}).
   *
   * @throws MalformedMessageException when it is neither
   */
  public static List<TaskResult> results(AMQP.BasicProperties props, byte[] body, JsonCodec codec) {
    return carriesSeveral(props) ? read(props, body, codec) : List.of(TaskResult.from(props, body));
  }

  /**
   * The results a batch carries, each with its body as the bytes the batch holds for it (not parsed
   * again: the reader decodes each as it would a single result).
   *
   * @throws MalformedMessageException when the body is not such an array
   */
  public static List<TaskResult> read(AMQP.BasicProperties props, byte[] body, JsonCodec codec) {
    String worker = Headers.string(props.getHeaders(), Headers.WORKER);
    if (worker == null) worker = "unknown";
    List<TaskResult> results = new ArrayList<>();
    try (JsonParser p = codec.parser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) throw malformed("not a JSON array");
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        results.add(one(p, body, worker));
      }
      if (t != JsonToken.END_ARRAY) throw malformed("an element is not an object");
      if (p.nextToken() != null) throw malformed("something follows the array");
    } catch (IOException e) {
      throw malformed(e.getMessage());
    }
    return results;
  }

  /** One element, the parser on its START_OBJECT; leaves it on its END_OBJECT. */
  private static TaskResult one(JsonParser p, byte[] body, String worker) throws IOException {
    String id = null;
    Boolean ok = null;
    byte[] value = null;
    JsonToken t = p.nextToken();
    while (t == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken v = p.nextToken();
      if ("value".equals(field)) {
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        t = p.nextToken(); // the next field's name or the end of the element
        long end = p.currentTokenLocation().getByteOffset();
        if (start < 0 || end <= start) throw malformed("cannot locate a value");
        value = trimmed(body, (int) start, (int) end);
        continue;
      }
      if ("id".equals(field) && v == JsonToken.VALUE_STRING) {
        id = p.getText();
      } else if ("ok".equals(field) && v.isBoolean()) {
        ok = v == JsonToken.VALUE_TRUE;
      } else {
        p.skipChildren();
      }
      t = p.nextToken();
    }
    if (t != JsonToken.END_OBJECT) throw malformed("an element is cut short");
    if (id == null || ok == null || value == null) {
      throw malformed("an element lacks its id, ok or value");
    }
    return new TaskResult(id, ok, worker, value);
  }

  /**
   * {@code body[start, end)} without the whitespace and comma that separate it from what follows.
   */
  private static byte[] trimmed(byte[] body, int start, int end) {
    while (end > start
        && (body[end - 1] == ','
            || body[end - 1] == ' '
            || body[end - 1] == '\n'
            || body[end - 1] == '\r'
            || body[end - 1] == '\t')) {
      end--;
    }
    return Arrays.copyOfRange(body, start, end);
  }

  private static MalformedMessageException malformed(String why) {
    return new MalformedMessageException("a batch of results is malformed: " + why);
  }
}
