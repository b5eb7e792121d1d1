package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.TaskTimeLimitException;
import dev.spool.core.DeadLetter;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.TaskResult;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries, dead letters, limits, time limits, Redis outages and idempotency, in one process. */
@ExtendWith(SpoolServicesExtension.class)
final class FailureHandlingIT {
  private static final Duration WAIT = ConsumerFixture.WAIT;
  private static final RetryPolicy QUICK = RetryPolicy.of(3, Duration.ofMillis(100));

  @Test
  void failingTask_retriesWithBackoffThenDeadLettersOnceAndTellsTheProducer(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      String id = f.publish("fail", "\"disk on fire\"");

      RemoteError e = f.error(f.awaitResults(1).get(id));
      assertEquals("disk on fire", e.message());
      assertEquals("retries-exhausted", e.deadLetter());
      assertEquals(3, e.attempts());

      List<DeadLetter> dead = f.awaitDeadLetters(1);
      assertEquals(1, dead.size());
      DeadLetter d = dead.getFirst();
      assertEquals(id, d.taskId());
      assertEquals("fail", d.taskName());
      assertEquals(Reason.RETRIES_EXHAUSTED, d.reason());
      assertEquals(3, d.attempts());
      assertEquals(consumer.id(), d.worker());
      assertTrue(d.error().type().endsWith("IntentionalFailure"));
      assertEquals("\"disk on fire\"", new String(d.body(), StandardCharsets.UTF_8));

      ConsumerStats s = consumer.stats();
      assertEquals(3, s.failed());
      assertEquals(2, s.retried());
      assertEquals(1, s.deadLettered());
      assertEquals(0, env.ready(f.queue));
      assertEquals(1, f.seen.size(), "one final error result, none for the retried attempts");
    }
  }

  @Test
  void delayedTaskNamedBeyondWhatAmqpCarries_deadLetteredOnce_resultsKeepFlowing(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    // As an older producer could store it: a task name of 256 bytes, due now.
    String name = "x".repeat(256);
    var props =
        new com.rabbitmq.client.AMQP.BasicProperties.Builder()
            .messageId("too-long-1")
            .type(name)
            .headers(Map.of(Headers.KIND, Headers.KIND_TASK, Headers.ATTEMPT, 1))
            .build();
    String parked =
        dev.spool.core.wire.ParkedTask.of(props, "1".getBytes(StandardCharsets.UTF_8)).toJson();
    try (dev.spool.state.internal.RedisState state = env.sharedState()) {
      state
          .schedule(dev.spool.core.wire.Topology.delayedSchedule("tasks"))
          .addIn("too-long-1", parked, Duration.ofMillis(1));
    }
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      List<DeadLetter> dead = f.awaitDeadLetters(1);
      assertEquals("too-long-1", dead.getFirst().taskId());
      assertEquals(Reason.DECODE_ERROR, dead.getFirst().reason());
      assertTrue(
          dead.getFirst().error().message().contains("256 bytes"),
          dead.getFirst().error().message());
      assertTrue(dead.getFirst().taskName().endsWith("...(cut)"), dead.getFirst().taskName());

      // The consumer's publishing is not wedged: results of later tasks come back.
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 20; i++) ids.add(f.publish("square", Integer.toString(i)));
      Map<String, TaskResult> results = f.awaitResults(20);
      assertTrue(results.keySet().containsAll(ids));
      assertTrue(consumer.health().up(), consumer.health().toJson());
      try (dev.spool.state.internal.RedisState state = env.sharedState()) {
        var schedule = state.schedule(dev.spool.core.wire.Topology.delayedSchedule("tasks"));
        assertEquals(0, schedule.waiting() + schedule.claimed(), "removed from Redis: once");
      }
      assertEquals(List.of(), f.awaitDeadLetters(0), "no second dead letter");
    }
  }

  @Test
  void retriedTask_succeedsOnALaterAttempt_handlerSeesTheAttemptNumber(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      // test-echo returns its input and attempt; a first-attempt header of 2 reads as a retry
      String id = f.publish("test-echo", "\"x\"", Map.of(Headers.ATTEMPT, 2));
      assertEquals("\"x@2\"", body(f.awaitResults(1).get(id)));
    }
  }

  @Test
  void handlerThrowingAnError_isSettledAsAFailure_notLeftUnacked(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      String id = f.publish("throws-error", "\"boom\"");
      RemoteError e = f.error(f.awaitResults(1).get(id));
      assertEquals(AssertionError.class.getName(), e.type());
      assertEquals("retries-exhausted", e.deadLetter());
      assertEquals(QUICK.maxAttempts(), consumer.stats().failed());
      // and the consumer still works
      String ok = f.publish("test-echo", "\"x\"");
      assertEquals("\"x@1\"", body(f.awaitResults(2).get(ok)));
    }
  }

  @Test
  void notRetryableError_deadLettersAtOnce(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      String id = f.publish("square", "null"); // IllegalArgumentException: never retried
      RemoteError e = f.error(f.awaitResults(1).get(id));
      assertEquals("not-retryable", e.deadLetter());
      DeadLetter d = f.awaitDeadLetters(1).getFirst();
      assertEquals(Reason.NOT_RETRYABLE, d.reason());
      assertEquals(1, d.attempts());
      assertEquals(0, consumer.stats().retried());
    }
  }

  @Test
  void badInput_eachKindDeadLettersOnceWithItsReason_consumerKeepsRunning(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build(), "64KiB")) {
      Map<String, Reason> expected = new HashMap<>();
      expected.put(f.publish("nope", "1"), Reason.UNKNOWN_TASK);
      expected.put(f.publish("square", "{not json"), Reason.DECODE_ERROR);
      expected.put(
          f.publish("square", "[".repeat(100_000) + "]".repeat(100_000)), Reason.TOO_LARGE);
      expected.put(
          f.publish("square", "[".repeat(20_000) + "]".repeat(20_000)), Reason.DECODE_ERROR);
      expected.put(
          f.publish("test-echo", "{\"@class\":\"java.lang.ProcessBuilder\",\"command\":[\"id\"]}"),
          Reason.DECODE_ERROR);
      expected.put(f.publish("square", "\"x\"".repeat(1) + " ".repeat(70_000)), Reason.TOO_LARGE);
      String good = f.publish("square", "7");

      Map<String, TaskResult> results = f.awaitResults(expected.size() + 1);
      assertEquals("49", body(results.get(good)));
      Map<String, DeadLetter> dead =
          f.awaitDeadLetters(expected.size()).stream()
              .collect(Collectors.toMap(DeadLetter::taskId, Function.identity()));
      assertEquals(expected.size(), dead.size(), "each bad message dead-lettered exactly once");
      expected.forEach(
          (id, reason) -> {
            assertEquals(reason, dead.get(id).reason(), id);
            assertFalse(results.get(id).ok());
            assertEquals(reason.toString(), f.error(results.get(id)).deadLetter());
          });
      assertEquals(0, env.ready(f.queue));
      assertEquals(expected.size(), consumer.stats().rejected());
      assertNull(consumer.awaitStopRequest(Duration.ofMillis(50)), "still running");
    }
  }

  @Test
  void outOfRangeHeaders_eachDeadLetteredOnceWithAReply_consumerKeepsConsuming(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      List<Map<String, Object>> hostile =
          List.of(
              Map.of(Headers.ATTEMPT, 0),
              Map.of(Headers.ATTEMPT, 99_999_999_999L),
              Map.of(Headers.ATTEMPT, -3),
              Map.of(Headers.CHUNK, -1),
              Map.of(Headers.CHUNK, 99_999_999_999L),
              Map.of(Headers.POSITION, -5),
              Map.of(Headers.DEADLINE, Long.MAX_VALUE),
              Map.of(Headers.ATTEMPT, Map.of("nested", "table")),
              Map.of(Headers.CHUNK, new byte[] {1, 2, 3}));
      List<String> ids = new ArrayList<>();
      for (Map<String, Object> h : hostile) ids.add(f.publish("square", "3", h));
      String good = f.publish("square", "7");

      Map<String, TaskResult> results = f.awaitResults(hostile.size() + 1);
      assertEquals("49", body(results.get(good)), "the consumer kept consuming");
      Map<String, DeadLetter> dead =
          f.awaitDeadLetters(hostile.size()).stream()
              .collect(Collectors.toMap(DeadLetter::taskId, Function.identity()));
      assertEquals(hostile.size(), dead.size(), "each hostile message dead-lettered exactly once");
      for (String id : ids) {
        assertEquals(Reason.DECODE_ERROR, dead.get(id).reason(), id);
        assertEquals(1, dead.get(id).attempts(), "an absurd attempt header is not reported");
        assertFalse(results.get(id).ok(), "the producer is answered");
        assertEquals("decode-error", f.error(results.get(id)).deadLetter());
      }
      assertEquals(hostile.size(), consumer.stats().rejected());
      assertNull(consumer.awaitStopRequest(Duration.ofMillis(50)), "still running");
      assertEquals("up", consumer.health().components().get("rabbitmq"));
    }
  }

  @Test
  void aTaskWhoseConsumerDiedTwiceWhileItRanAlone_isDeadLetteredAsCrashedWithoutRunning(
      SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().build());
        dev.spool.state.internal.RedisState state = env.sharedState()) {
      // As two earlier consumers left it: each counted a lone start of it, and died.
      state.crashRecords().startAlone("killer-1");
      state.crashRecords().startAlone("killer-1");
      int before = f.tasks.counted.get();
      String killer = f.publish("count", "\"x\"", Map.of(Headers.DELIVERY_COUNT, 3), "killer-1");
      RemoteError e = f.error(f.awaitResults(1).get(killer));
      assertEquals("crashed", e.deadLetter());
      assertTrue(e.message().contains("ran alone"), e.message());
      assertEquals(Reason.CRASHED, f.awaitDeadLetters(1).getFirst().reason());
      assertEquals(before, f.tasks.counted.get(), "the killer did not run again");

      // One that came back without such a count (it was only beside the killer) runs, alone.
      String innocent = f.publish("count", "\"y\"", Map.of(Headers.DELIVERY_COUNT, 3));
      assertTrue(f.awaitResults(1).get(innocent).ok());
      assertEquals(before + 1, f.tasks.counted.get(), "the innocent one ran");
      try (var jedis = env.jedis()) {
        assertFalse(
            jedis.exists(env.namespace() + ":returns:" + innocent),
            "its returns record is gone once it ended");
      }
    }
  }

  @Test
  void taskPastItsTimeLimit_isInterruptedAndReportedAsTimeout(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    ConsumerConfig settings =
        ConsumerConfig.builder()
            .concurrency(1)
            .retry(RetryPolicy.NONE)
            .timeLimit("sleep", Duration.ofMillis(300))
            .build();
    try (SpoolConsumer consumer = f.start(settings)) {
      String slow = f.publish("sleep", "60000");
      String next = f.publish("square", "5");
      Map<String, TaskResult> r = f.awaitResults(2);
      RemoteError e = f.error(r.get(slow));
      assertEquals(TaskTimeLimitException.class.getName(), e.type());
      assertTrue(e.message().contains("interrupted"), e.message());
      assertEquals("25", body(r.get(next)), "the worker was reclaimed");
      assertEquals(1, consumer.stats().timedOut());
      assertEquals(Reason.RETRIES_EXHAUSTED, f.awaitDeadLetters(1).getFirst().reason());
    }
  }

  @Test
  void handlerIgnoringTheInterrupt_isAbandonedAndItsThreadReplaced(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    ConsumerConfig settings =
        ConsumerConfig.builder()
            .concurrency(1)
            .retry(RetryPolicy.NONE)
            .timeLimit("stubborn", Duration.ofMillis(200))
            .build();
    try (SpoolConsumer consumer = f.start(settings)) {
      String stuck = f.publish("stubborn", "\"s\"");
      String next = f.publish("square", "6");
      // With one worker thread, "next" can only run on the replacement for the stuck thread.
      Map<String, TaskResult> r = f.awaitResults(2);
      assertEquals("36", body(r.get(next)));
      RemoteError e = f.error(r.get(stuck));
      assertTrue(e.message().contains("abandoned"), e.message());
      assertEquals(1, consumer.stats().timedOut());
      f.tasks.stubbornRelease.countDown(); // the stuck thread may end now
    } finally {
      f.tasks.stubbornRelease.countDown();
    }
  }

  @Test
  void handlersIgnoringInterruptsPastTheBound_consumerAsksToBeReplacedWithAFailure(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    ConsumerConfig settings =
        ConsumerConfig.builder()
            .concurrency(1)
            .retry(RetryPolicy.NONE)
            .timeLimit("stubborn", Duration.ofMillis(200))
            .build();
    try (SpoolConsumer consumer = f.start(settings)) {
      String first = f.publish("stubborn", "\"a\"");
      String second = f.publish("stubborn", "\"b\"");
      Map<String, TaskResult> r = f.awaitResults(2);
      assertFalse(r.get(first).ok());
      assertFalse(r.get(second).ok());
      StopReason why = consumer.awaitStopRequest(WAIT);
      assertNotNull(why, "the consumer asked to stop");
      assertTrue(why.failure(), "so that it exits non-zero");
      assertTrue(why.reason().contains("2 worker threads are stuck"), why.reason());
      assertEquals(2, consumer.stats().timedOut());
    } finally {
      f.tasks.stubbornRelease.countDown();
    }
  }

  @Test
  void redisOutageInHandler_taskIsPutBackNotAckedAndSucceedsLater(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().retry(QUICK).build())) {
      String id = f.publish("redis-flaky", "2"); // fails twice as if Redis were down
      TaskResult r = f.awaitResults(1).get(id);
      assertTrue(r.ok());
      assertEquals("1", body(r), "an outage does not use up the task's attempts");
      assertEquals(2, consumer.stats().requeued());
      assertEquals(0, consumer.stats().failed());
      assertEquals(0, env.ready(env.topology().deadQueue("tasks")));
    }
  }

  @Test
  void idempotencyKey_secondTaskWithTheKeyGetsTheFirstResultWithoutRunning(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().build())) {
      String first = f.publish("count", "\"a\"", Map.of(Headers.IDEMPOTENCY_KEY, "order-42"));
      String firstResult = body(f.awaitResults(1).get(first));
      String second = f.publish("count", "\"a\"", Map.of(Headers.IDEMPOTENCY_KEY, "order-42"));
      assertEquals(firstResult, body(f.awaitResults(2).get(second)));
      assertEquals(1, consumer.stats().idempotentSkips());
      assertEquals(1, consumer.stats().succeeded() - consumer.stats().idempotentSkips());
    }
  }

  private static String body(TaskResult r) {
    assertTrue(r.ok(), () -> "expected a value, got an error: " + new String(r.body()));
    return new String(r.body(), StandardCharsets.UTF_8);
  }
}
