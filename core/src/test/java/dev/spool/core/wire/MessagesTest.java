package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.LongStringHelper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class MessagesTest {
  @Test
  void taskMessage_throughProperties_roundTrips() {
    TaskMessage t =
        new TaskMessage(
            "id-1",
            "square",
            "ns.reply.p",
            2,
            40,
            10,
            Instant.ofEpochMilli(1_700_000_000_123L),
            "p1",
            "[1,2]".getBytes(StandardCharsets.UTF_8));
    AMQP.BasicProperties props = t.toProperties();
    assertEquals("id-1", props.getMessageId());
    assertEquals("id-1", props.getCorrelationId());
    assertEquals("square", props.getType());
    assertEquals("application/json", props.getContentType());
    assertEquals(2, props.getDeliveryMode());
    assertEquals("task", props.getHeaders().get(Headers.KIND));
    assertEquals(t, TaskMessage.from(props, t.body()));
  }

  @Test
  void taskMessage_headersAsBrokerDeliversThem_areRead() {
    // The broker hands strings back as LongString and small numbers as Integer.
    Map<String, Object> h = new HashMap<>();
    h.put(Headers.KIND, LongStringHelper.asLongString("task"));
    h.put(Headers.ATTEMPT, 3);
    h.put(Headers.POSITION, 7);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().messageId("m").type("sleep").headers(h).build();
    TaskMessage t = TaskMessage.from(props, "5".getBytes(StandardCharsets.UTF_8));
    assertEquals(3, t.attempt());
    assertEquals(7, t.position());
    assertFalse(t.isChunk());
  }

  @Test
  void taskMessage_withoutTypeOrId_isMalformed() {
    AMQP.BasicProperties noType = new AMQP.BasicProperties.Builder().messageId("m").build();
    MalformedMessageException e =
        assertThrows(MalformedMessageException.class, () -> TaskMessage.from(noType, new byte[0]));
    assertTrue(e.getMessage().contains("no type"), e.getMessage());
    AMQP.BasicProperties noId = new AMQP.BasicProperties.Builder().type("square").build();
    assertThrows(MalformedMessageException.class, () -> TaskMessage.from(noId, new byte[0]));
  }

  @Test
  void taskMessage_nonNumericAttempt_isMalformed() {
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .messageId("m")
            .type("t")
            .headers(Map.of(Headers.ATTEMPT, "many"))
            .build();
    assertThrows(MalformedMessageException.class, () -> TaskMessage.from(props, new byte[0]));
  }

  @Test
  void taskResult_throughProperties_roundTrips() {
    TaskResult ok = new TaskResult("id-9", true, "h/1", "81".getBytes(StandardCharsets.UTF_8));
    assertEquals(ok, TaskResult.from(ok.toProperties(), ok.body()));
    TaskResult err = new TaskResult("id-9", false, "h/1", "{}".getBytes(StandardCharsets.UTF_8));
    assertEquals("error", err.toProperties().getHeaders().get(Headers.STATUS));
    assertEquals(err, TaskResult.from(err.toProperties(), err.body()));
  }

  @Test
  void taskResult_withoutStatus_isMalformed() {
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId("x").build();
    assertThrows(MalformedMessageException.class, () -> TaskResult.from(props, new byte[0]));
  }

  @Test
  void poisonPill_issuedBeforeConsumerStarted_doesNotApply() {
    Instant start = Instant.parse("2026-01-01T00:00:10Z");
    PoisonPill old = PoisonPill.issue(start.minusMillis(1), "p");
    PoisonPill same = PoisonPill.issue(start, "p");
    PoisonPill later = PoisonPill.issue(start.plusSeconds(5), "p");
    assertFalse(old.appliesToConsumerStartedAt(start));
    assertTrue(same.appliesToConsumerStartedAt(start));
    assertTrue(later.appliesToConsumerStartedAt(start));
  }

  @Test
  void poisonPill_throughProperties_roundTripsAndIsRecognised() {
    PoisonPill p = PoisonPill.issue(Instant.ofEpochMilli(1_700_000_000_000L), "prod");
    AMQP.BasicProperties props = p.toProperties();
    assertTrue(PoisonPill.isPill(props));
    assertEquals(p, PoisonPill.from(props));
    TaskMessage t = new TaskMessage("i", "square", null, 1, 0, 0, null, null, new byte[] {'1'});
    assertFalse(PoisonPill.isPill(t.toProperties()));
  }

  @Test
  void taskFrom_headersOutOfRange_malformedNotIllegalArgument() {
    for (Map<String, Object> h :
        java.util.List.<Map<String, Object>>of(
            Map.of(Headers.ATTEMPT, 0),
            Map.of(Headers.ATTEMPT, 99_999_999_999L),
            Map.of(Headers.CHUNK, -1),
            Map.of(Headers.CHUNK, 99_999_999_999L),
            Map.of(Headers.POSITION, -1),
            Map.of(Headers.DEADLINE, -5L))) {
      AMQP.BasicProperties p =
          new AMQP.BasicProperties.Builder().messageId("m").type("square").headers(h).build();
      MalformedMessageException e =
          assertThrows(MalformedMessageException.class, () -> TaskMessage.from(p, new byte[0]));
      assertTrue(
          e.getMessage().contains("outside") || e.getMessage().contains("epoch"),
          h + ": " + e.getMessage());
    }
  }

  @Test
  void parkedTask_goesToTheUrgentLane_withAPriorityOrABookedRateSlot_afterTheJsonRoundTrip() {
    byte[] body = "[1]".getBytes(StandardCharsets.UTF_8);
    ParkedTask plain = new ParkedTask("a", "square", null, Map.of(Headers.ATTEMPT, 1), body);
    ParkedTask high = new ParkedTask("b", "square", null, Map.of(Headers.PRIORITY, 3), body);
    ParkedTask booked =
        new ParkedTask("c", "square", null, Map.of(Headers.ATTEMPT, 1, Headers.RATE_SLOT, 1), body);
    assertFalse(ParkedTask.fromJson(plain.toJson()).urgent());
    assertTrue(ParkedTask.fromJson(high.toJson()).urgent());
    assertTrue(ParkedTask.fromJson(booked.toJson()).urgent());
    assertEquals(0, ParkedTask.fromJson(booked.toJson()).priority(), "its priority is its own");
  }
}
