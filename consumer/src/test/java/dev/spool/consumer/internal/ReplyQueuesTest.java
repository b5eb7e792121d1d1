package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ReplyQueuesTest {
  private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final Map<String, Integer> consumers = new HashMap<>();
  private int probes;

  private final ReplyQueues queues =
      new ReplyQueues(
          q -> {
            probes++;
            Integer n = consumers.get(q);
            if (n == null) throw new IOException("broker unreachable");
            return n;
          },
          clock);

  private void advance(Duration d) {
    clock.advance(d);
  }

  @Test
  void abandoned_queueGone_skippedAtOnce() {
    consumers.put("r", -1);
    assertTrue(queues.abandoned("r"));
  }

  @Test
  void abandoned_queueWithAConsumer_neverAbandoned() {
    consumers.put("r", 1);
    assertFalse(queues.abandoned("r"));
    advance(Duration.ofMinutes(5));
    assertFalse(queues.abandoned("r"));
  }

  @Test
  void abandoned_noConsumer_onlyAfterTheGrace_soAReconnectingProducerKeepsItsTasks() {
    consumers.put("r", 0);
    assertFalse(queues.abandoned("r"));
    advance(ReplyQueues.GRACE.minusSeconds(1));
    assertFalse(queues.abandoned("r"));
    consumers.put("r", 1); // it reconnected
    advance(Duration.ofSeconds(2));
    assertFalse(queues.abandoned("r"));
    consumers.put("r", 0); // gone again: the grace starts over
    advance(Duration.ofSeconds(2));
    assertFalse(queues.abandoned("r"));
    advance(ReplyQueues.GRACE);
    assertTrue(queues.abandoned("r"));
  }

  @Test
  void abandoned_onACluster_aProducerHasTheLongerGraceToComeBack() {
    ReplyQueues cluster = new ReplyQueues(q -> consumers.get(q), clock, ReplyQueues.CLUSTER_GRACE);
    consumers.put("r", 0);
    assertFalse(cluster.abandoned("r"));
    advance(ReplyQueues.GRACE.plusSeconds(5)); // past the single node's grace
    assertFalse(cluster.abandoned("r"));
    advance(ReplyQueues.CLUSTER_GRACE);
    assertTrue(cluster.abandoned("r"));
  }

  @Test
  void abandoned_manyTasksWithinOneRecheck_oneBrokerRoundTrip() {
    consumers.put("r", 1);
    for (int i = 0; i < 1000; i++) queues.abandoned("r");
    assertEquals(1, probes);
    advance(ReplyQueues.RECHECK);
    queues.abandoned("r");
    assertEquals(2, probes);
  }

  @Test
  void abandoned_brokerCannotBeAsked_taskRuns() {
    assertFalse(queues.abandoned("unknown-to-the-fake"));
  }

  @Test
  void abandoned_staleAnswer_usedWhileTheBrokerIsAskedInTheBackground() {
    java.util.List<Runnable> queued = new java.util.ArrayList<>();
    ReplyQueues async =
        new ReplyQueues(
            q -> {
              probes++;
              return consumers.get(q);
            },
            clock,
            ReplyQueues.GRACE,
            queued::add);
    consumers.put("r", -1);
    assertTrue(async.abandoned("r"), "the first time, the worker waits for the answer");
    assertEquals(1, probes);
    consumers.put("r", 1); // its producer came back (a queue of the same name)
    advance(ReplyQueues.RECHECK);
    assertTrue(async.abandoned("r"), "stale: the last answer, at once");
    assertTrue(async.abandoned("r"));
    assertEquals(1, probes, "no worker asked the broker itself");
    assertEquals(1, queued.size(), "one refresh asked for, however many workers saw it stale");
    queued.remove(0).run();
    assertEquals(2, probes);
    assertFalse(async.abandoned("r"), "the fresh answer once it came");
  }

  @Test
  void unattended_saysHowLongTheGraceLasts_whileNobodyReads_andNothingOnceItIsRead() {
    consumers.put("r", 0);
    assertEquals(java.util.Optional.empty(), queues.unattended("r"), "never checked yet");
    assertFalse(queues.abandoned("r"), "unread, within its grace");
    assertEquals(java.util.Optional.of(ReplyQueues.GRACE), queues.unattended("r"));
    advance(Duration.ofSeconds(4));
    queues.abandoned("r"); // the refresh, on this thread in the test
    assertEquals(java.util.Optional.of(ReplyQueues.GRACE.minusSeconds(4)), queues.unattended("r"));
    consumers.put("r", 1); // the producer reconnected
    advance(ReplyQueues.RECHECK);
    assertFalse(queues.abandoned("r"));
    assertEquals(java.util.Optional.empty(), queues.unattended("r"), "read again: runs now");
    consumers.put("r", 0);
    advance(ReplyQueues.RECHECK);
    queues.abandoned("r");
    advance(ReplyQueues.GRACE);
    assertTrue(queues.abandoned("r"));
    assertEquals(
        java.util.Optional.empty(), queues.unattended("r"), "abandoned: skipped, not set aside");
  }
}
