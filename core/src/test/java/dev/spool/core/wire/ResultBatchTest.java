package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several results in one message: written by a consumer, read back exactly by a producer. */
final class ResultBatchTest {
  private final JsonCodec codec = new JsonCodec();

  private static TaskResult result(String id, boolean ok, String json) {
    return new TaskResult(id, ok, "w1", json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void everyResultComesBackWithItsOwnBytes() {
    List<TaskResult> sent =
        List.of(
            result("a", true, "81"),
            result("b\"\\ \u00e9\u2028", true, "\"text with \\\"quotes\\\", commas, ] and }\""),
            result("c", true, "[1,2,{\"x\":[3]}]"),
            result("d", false, "{\"type\":\"java.lang.IllegalStateException\",\"message\":\"no\"}"),
            result("e", true, "null"),
            result("f", true, "-1.5e3"),
            result("g", true, "{ }"),
            result("h", true, "true"));
    AMQP.BasicProperties props = ResultBatch.properties("w1", sent.size());
    byte[] body = ResultBatch.body(sent, codec);

    assertTrue(ResultBatch.carriesSeveral(props));
    assertEquals(sent.size(), Headers.number(props.getHeaders(), Headers.RESULTS));
    List<TaskResult> read = ResultBatch.read(props, body, codec);
    assertEquals(sent, read); // ids, status, worker and the very bytes of each body
    // and the body is JSON a person can read in the dashboard
    assertEquals(sent.size(), codec.tree(body).size());
    assertEquals("a", codec.tree(body).get(0).get("id").asText());
  }

  @Test
  void aSingleResultIsNotABatch() {
    TaskResult r = result("a", true, "1");
    assertFalse(ResultBatch.carriesSeveral(r.toProperties()));
  }

  @Test
  void readsABatchWrittenWithOtherSpacingAndFieldOrder() {
    String json =
        "[ {\"value\" : [1, 2] ,\"ok\":true, \"id\":\"x\", \"extra\": {\"a\":1}} ,\n"
            + "{\"id\":\"y\",\"ok\":false,\"value\":\t\"boom\"\n} ]";
    List<TaskResult> read =
        ResultBatch.read(props(2), json.getBytes(StandardCharsets.UTF_8), codec);
    assertEquals(2, read.size());
    assertArrayEquals("[1, 2]".getBytes(StandardCharsets.UTF_8), read.get(0).body());
    assertTrue(read.get(0).ok());
    assertEquals("y", read.get(1).taskId());
    assertFalse(read.get(1).ok());
    assertEquals("\"boom\"", new String(read.get(1).body(), StandardCharsets.UTF_8));
    assertEquals("w9", read.get(0).worker());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{}",
        "[1]",
        "[{\"id\":\"a\",\"ok\":true}]",
        "[{\"id\":\"a\",\"value\":1}]",
        "[{\"ok\":true,\"value\":1}]",
        "[{\"id\":1,\"ok\":true,\"value\":1}]",
        "[{\"id\":\"a\",\"ok\":\"yes\",\"value\":1}]",
        "[{\"id\":\"a\",\"ok\":true,\"value\":1}",
        "[{\"id\":\"a\",\"ok\":true,\"value\":[1,}]",
        "[{\"id\":\"a\",\"ok\":true,\"value\":1}] trailing",
        "not json"
      })
  void aMalformedBatchIsRefusedWhole(String json) {
    assertThrows(
        MalformedMessageException.class,
        () -> ResultBatch.read(props(1), json.getBytes(StandardCharsets.UTF_8), codec));
  }

  @Test
  void deepNestingIsRefusedAsForAnyMessage() {
    String deep = "[".repeat(JsonCodec.MAX_NESTING_DEPTH + 10);
    byte[] body = ("[{\"id\":\"a\",\"ok\":true,\"value\":" + deep).getBytes(StandardCharsets.UTF_8);
    assertThrows(MalformedMessageException.class, () -> ResultBatch.read(props(1), body, codec));
  }

  private static AMQP.BasicProperties props(int n) {
    return new AMQP.BasicProperties.Builder()
        .headers(Map.of(Headers.RESULTS, n, Headers.WORKER, "w9"))
        .build();
  }
}
