package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What AMQP can carry is checked before the client numbers a publish, with the field named. */
final class AmqpLimitsTest {
  private static AMQP.BasicProperties withHeaders(Map<String, Object> headers) {
    return new AMQP.BasicProperties.Builder().messageId("id-1").headers(headers).build();
  }

  @Test
  void aTasksOwnHeaders_pass() {
    TaskMessage m =
        new TaskMessage(
            "id-1", "square", "reply", 1, 0, 3, Instant.now(), "me", "[1,2,3]".getBytes());
    AmqpLimits.check("ns.work.tasks", m.toProperties());
    AmqpLimits.check(
        "q",
        withHeaders(Map.of("nested", Map.of("list", List.of(1L, "two", new byte[] {3})), "n", 1)));
  }

  @Test
  void aHeaderNameOver255Bytes_isNamed() {
    String name = "é".repeat(128); // 128 chars, 256 bytes of UTF-8
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AmqpLimits.check("q", withHeaders(Map.of(name, 1))));
    assertTrue(e.getMessage().startsWith("header name is 256 bytes of UTF-8"), e.getMessage());
  }

  @Test
  void aValueAmqpCannotCarry_namesItsHeader() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> AmqpLimits.check("q", withHeaders(Map.of("when", Instant.EPOCH))));
    assertEquals(
        "header 'when' is a java.time.Instant, which AMQP headers cannot carry", e.getMessage());
    IllegalArgumentException nested =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AmqpLimits.check(
                    "q", withHeaders(Map.of("outer", List.of(Map.of("inner", new Object()))))));
    assertTrue(
        nested.getMessage().startsWith("header 'outer' 'inner' is a java.lang.Object"),
        nested.getMessage());
  }

  @Test
  void aLongRoutingKey_isNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AmqpLimits.check("q".repeat(256), null));
    assertTrue(e.getMessage().startsWith("the routing key (queue name) is 256 bytes"));
  }
}
