package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.TaskIndex;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The consumer's writes to the task index, read back as the dashboard reads them: a start and an
 * end in one batch are one entry with both, an end in a later batch changes only what it says, and
 * the list is newest first.
 */
@ExtendWith(SpoolServicesExtension.class)
final class IndexWriterIT {
  private static final long T0 = 1_800_000_000_000L;

  @Test
  void startsAndEnds_inOneBatchOrTwo_readBackAsTheDashboardSeesThem(SpoolTestEnv env) {
    RedisState state = env.sharedState();
    TaskIndex index = state.taskIndex();
    SettableClock clock = new SettableClock(Instant.ofEpochMilli(T0));
    IndexWriter writer = new IndexWriter(index, "tasks", "worker-1", clock);
    String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    AMQP.BasicProperties traced =
        new AMQP.BasicProperties.Builder()
            .timestamp(new Date(T0 - 2_000))
            .headers(Map.of("traceparent", "00-" + trace + "-00f067aa0ba902b7-01"))
            .build();
    String longInput = "[\"" + "é".repeat(300) + "\"]";

    writer.started("t-1", "resize", 2, traced, longInput.getBytes(StandardCharsets.UTF_8));
    clock.advance(Duration.ofMillis(40));
    writer.ended("t-1", "succeeded", 35_000_000L);
    clock.advance(Duration.ofMillis(10));
    writer.started(
        "t-2", "square", 1, new AMQP.BasicProperties(), "[7]".getBytes(StandardCharsets.UTF_8));
    writer.flush();

    TaskIndex.Entry one = index.read("t-1").orElseThrow();
    assertEquals("resize", one.name());
    assertEquals("tasks", one.queue());
    assertEquals("succeeded", one.state(), "the end in the same batch wins");
    assertEquals("worker-1", one.worker());
    assertEquals(2, one.attempt());
    assertEquals(Instant.ofEpochMilli(T0 - 2_000), one.queued());
    assertEquals(Instant.ofEpochMilli(T0), one.started());
    assertEquals(Instant.ofEpochMilli(T0 + 40), one.finished());
    assertEquals(35L, one.runMs());
    assertEquals(trace, one.traceId());
    assertEquals(TaskIndex.INPUT_CHARS + 1, one.input().length(), "cut, with an ellipsis");
    assertTrue(one.input().endsWith("é…"), one.input());

    TaskIndex.Entry two = index.read("t-2").orElseThrow();
    assertEquals("started", two.state());
    assertEquals("[7]", two.input());
    assertNull(two.queued(), "no timestamp on the message");
    assertNull(two.traceId());
    assertNull(two.finished());
    assertNull(two.runMs());

    // An end in a later batch changes what it says and keeps the rest.
    clock.advance(Duration.ofMillis(500));
    writer.ended("t-2", "failed", 2_000_000_000L);
    writer.flush();
    TaskIndex.Entry ended = index.read("t-2").orElseThrow();
    assertEquals("failed", ended.state());
    assertEquals(2_000L, ended.runMs());
    assertEquals(Instant.ofEpochMilli(T0 + 550), ended.finished());
    assertEquals(Instant.ofEpochMilli(T0 + 50), ended.started(), "kept from the start");
    assertEquals("square", ended.name());

    assertEquals(
        List.of("t-2", "t-1"),
        index.recent(null, null, 10).stream().map(TaskIndex.Entry::id).toList(),
        "newest start first");
    assertEquals(
        List.of("t-1"),
        index.recent(null, "succeeded", 10).stream().map(TaskIndex.Entry::id).toList());
    assertEquals(2, index.size());
    writer.flush(); // nothing waits: no call
  }
}
