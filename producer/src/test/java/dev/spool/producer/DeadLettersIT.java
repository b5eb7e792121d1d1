package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.RetryPolicy;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.DeadLetter;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.TaskFailedException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** Dead letters from the producer's side: the API and the {@code dead} command, and limits. */
@ExtendWith(SpoolServicesExtension.class)
final class DeadLettersIT {
  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  private static SpoolConsumer consumer(SpoolTestEnv env) {
    return ConsumerRuntime.start(
        env.config(),
        ConsumerConfig.builder().retry(RetryPolicy.of(2, Duration.ofMillis(100))).build(),
        HandlerRegistry.withProviders(DeadLettersIT.class.getClassLoader()));
  }

  @Test
  void deadCommand_listsJsonReplaysOneAndPurges(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String failedId;
    try (SpoolConsumer c = consumer(env);
        TaskPool pool = TestSpools.pool(env.config())) {
      TaskFailedException e =
          assertThrows(TaskFailedException.class, () -> pool.apply("fail", "boom", String.class));
      failedId = e.taskId();
      assertThrows(TaskFailedException.class, () -> pool.apply("nope", 1, String.class));
    }

    SpoolProcesses.Run list = procs.runProducer("dead", "list", "--json");
    assertEquals(0, list.exit(), list.stderr());
    JsonNode letters = new JsonCodec().tree(list.stdout().getBytes());
    assertEquals(2, letters.size());
    JsonNode first = letters.get(0);
    assertEquals(failedId, first.get("id").asText());
    assertEquals("retries-exhausted", first.get("reason").asText());
    assertEquals(2, first.get("attempts").asInt());
    assertTrue(first.get("error").get("type").asText().endsWith("IntentionalFailure"));
    assertEquals("\"boom\"", first.get("body").asText());
    assertEquals("unknown-task", letters.get(1).get("reason").asText());

    SpoolProcesses.Run text = procs.runProducer("dead", "list", "--limit", "1");
    assertTrue(text.stdout().contains("2 dead letter(s)"), text.stdout());
    assertTrue(text.stdout().contains("1 more"), text.stdout());

    SpoolProcesses.Run replay = procs.runProducer("dead", "replay", "--id", failedId);
    assertEquals(0, replay.exit(), replay.stderr());
    assertTrue(replay.stdout().contains("replayed 1"), replay.stdout());
    assertEquals(1, env.ready(env.topology().workQueue("tasks")), "back on its work queue");
    assertEquals(1, env.ready(env.topology().deadQueue("tasks")), "the other stays dead");

    SpoolProcesses.Run missing = procs.runProducer("dead", "replay", "--id", "no-such-id");
    assertEquals(1, missing.exit());
    SpoolProcesses.Run neither = procs.runProducer("dead", "replay");
    assertEquals(2, neither.exit(), "--id or --all is required");

    SpoolProcesses.Run purge = procs.runProducer("dead", "purge");
    assertTrue(purge.stdout().contains("purged 1"), purge.stdout());
    assertEquals(0, env.ready(env.topology().deadQueue("tasks")));
  }

  @Test
  void listedAndPassedOverManyTimes_deadLetterIsKept_itsDeliveryCountStaysLow(SpoolTestEnv env)
      throws Exception {
    try (TaskPool pool = TestSpools.pool(env.config())) {
      try (SpoolConsumer c = consumer(env)) {
        assertThrows(TaskFailedException.class, () -> pool.apply("fail", "kept", String.class));
      }
      String deadQueue = env.topology().deadQueue("tasks");
      try (DeadLetters dead = TestSpools.connect(env).deadLetters("tasks")) {
        // Each listing returns it unacked: a delivery, which RabbitMQ 4 stops at 20 by default.
        for (int i = 0; i < 15; i++) assertEquals(1, dead.list(10).size(), "listing " + i);
        for (int i = 0; i < 15; i++) assertEquals(0, dead.replay(d -> false), "replay " + i);
        assertEquals(1, dead.count(), "still there, once");
        DeadLetter d = dead.list(1).getFirst();
        assertTrue(d.bodyPreview(100).contains("kept"), d.bodyPreview(100));
        assertEquals(Reason.RETRIES_EXHAUSTED, d.reason());
      }
      try (var ch = env.connection().createChannel()) {
        var r = ch.basicGet(deadQueue, false);
        Object count = r.getProps().getHeaders().get("x-delivery-count");
        assertTrue(
            count == null || ((Number) count).longValue() <= DeadLetters.RECYCLE_AT,
            "delivered " + count + " times: recycled before the broker's limit");
      }
    }
  }

  @Test
  void replayAll_runsTheTasksAgainAsFirstAttempts(SpoolTestEnv env) throws Exception {
    try (TaskPool pool = TestSpools.pool(env.config())) {
      try (SpoolConsumer c = consumer(env)) {
        assertThrows(TaskFailedException.class, () -> pool.apply("fail", "x", String.class));
      }
      try (DeadLetters dead = TestSpools.connect(env).deadLetters("tasks")) {
        List<DeadLetter> before = dead.list(10);
        assertEquals(1, before.size());
        assertEquals(Reason.RETRIES_EXHAUSTED, before.getFirst().reason());
        assertEquals(1, dead.list(10).size(), "listing leaves them in the queue");
        assertEquals(1, dead.replay(d -> true));
        assertEquals(0, dead.count());
      }
      // Replayed as attempt 1 with a fresh retry budget: it fails twice more, dead-letters again.
      try (SpoolConsumer c = consumer(env);
          DeadLetters dead = TestSpools.connect(env).deadLetters("tasks")) {
        await().atMost(Duration.ofSeconds(20)).until(() -> dead.count() == 1);
        assertEquals(2, dead.list(1).getFirst().attempts());
        assertEquals(2, c.stats().failed());
      }
    }
  }

  @Test
  void oversizedInput_failsAtPublishWithTheLimitNamed(SpoolTestEnv env) {
    try (TaskPool pool = TestSpools.pool(env.config().toBuilder().maxMessageSize("1KiB").build())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> pool.apply("square", "x".repeat(2000), Long.class));
      assertTrue(e.getMessage().contains("SPOOL_MAX_MESSAGE_SIZE"), e.getMessage());
      assertEquals(0, pool.stats().tasksPublished());
    }
  }

  @Test
  void applyOnce_sameKeyTwice_runsOnceAndReturnsTheSameResult(SpoolTestEnv env) throws Exception {
    try (SpoolConsumer c = consumer(env);
        TaskPool pool = TestSpools.pool(env.config())) {
      Duration t = Duration.ofSeconds(30);
      long a = pool.applyOnce("invoice-7", "square", 12, Long.class, t);
      CompletableFuture<Long> again =
          CompletableFuture.supplyAsync(
              () -> pool.applyOnce("invoice-7", "square", 12, Long.class, t));
      assertEquals(a, again.get());
      assertEquals(1, c.stats().idempotentSkips());
    }
  }
}
