package dev.spool.consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.TaskResult;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpoolServicesExtension.class)
final class SpoolConsumerIT {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final JsonCodec codec = new JsonCodec();

  @Test
  void badInput_undecodableOrUnknown_isRejectedAndConsumerKeepsRunning(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().build())) {
      f.publishRaw(new AMQP.BasicProperties.Builder().messageId("no-type").build(), "1");
      String unknown = f.publish("nope", "1");
      String garbage = f.publish("square", "{not json");
      String good = f.publish("square", "7");

      Map<String, TaskResult> results = f.awaitResults(3);
      assertFalse(results.get(unknown).ok());
      assertTrue(f.error(results.get(unknown)).message().contains("unknown task 'nope'"));
      assertFalse(results.get(garbage).ok());
      assertTrue(f.error(results.get(garbage)).message().contains("java.lang.Long"));
      assertTrue(results.get(good).ok());
      assertEquals("49", new String(results.get(good).body(), StandardCharsets.UTF_8));

      await().atMost(WAIT).until(() -> consumer.stats().rejected() == 3);
      assertEquals(0, env.ready(f.queue), "rejected messages must not be requeued");
      assertNull(consumer.awaitStopRequest(Duration.ofMillis(100)), "still running");
    }
  }

  @Test
  void handlerThrows_errorResultCarriesRemoteTypeAndMessage(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    ConsumerConfig fast = ConsumerConfig.builder().retry(RetryPolicy.NONE).build();
    try (SpoolConsumer consumer = f.start(fast)) {
      String id = f.publish("fail", "\"disk on fire\"");
      TaskResult r = f.awaitResults(1).get(id);
      RemoteError e = f.error(r);
      assertEquals("dev.spool.consumer.internal.BuiltinTasks$IntentionalFailure", e.type());
      assertEquals("disk on fire", e.message());
      assertEquals(consumer.id(), e.worker());
      assertFalse(e.stack().isEmpty());
      await().atMost(WAIT).until(() -> consumer.stats().failed() == 1);
    }
  }

  @Test
  void pill_withPrefetchedDeliveries_handsThemBackUnstartedAndStops(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    SpoolConsumer consumer = f.start(ConsumerConfig.builder().concurrency(1).prefetch(5).build());
    String running = f.publish("sleep", "1500");
    for (int i = 0; i < 3; i++) f.publish("sleep", "1");
    f.publishPill(Instant.now());

    StopReason why = consumer.awaitStopRequest(WAIT);
    assertTrue(why != null && why.reason().startsWith("poison pill"), String.valueOf(why));
    consumer.close();

    assertEquals(3, consumer.stats().handedBack());
    assertEquals(1, consumer.stats().succeeded(), "only the running task finished");
    assertTrue(f.awaitResults(1).get(running).ok());
    assertEquals(3, env.ready(f.queue), "the three unstarted tasks are back in the queue");
  }

  @Test
  void pill_issuedBeforeConsumerStarted_isDroppedAndWorkGoesOn(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    f.declare();
    f.publishPill(Instant.now().minusSeconds(1)); // left over from an earlier job
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().build())) {
      String id = f.publish("square", "3");
      assertTrue(f.awaitResults(1).get(id).ok());
      assertEquals(1, consumer.stats().stalePills());
      assertNull(
          consumer.awaitStopRequest(Duration.ofMillis(100)), "a stale pill must not stop it");
    }
  }

  @Test
  void requestStop_whileTaskRuns_taskFinishesAndIsAcked(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    SpoolConsumer consumer = f.start(ConsumerConfig.builder().build());
    String id = f.publish("sleep", "800");
    await().atMost(WAIT).until(() -> consumer.stats().received() == 1);
    consumer.requestStop("SIGTERM");
    consumer.close();
    assertTrue(f.awaitResults(1).get(id).ok());
    assertEquals(0, env.ready(f.queue));
    assertEquals(0, consumer.stats().handedBack());
  }

  @Test
  void userProvider_fromServiceLoader_runsWithContext(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().build())) {
      String id = f.publish("test-echo", "\"hi\"");
      TaskResult r = f.awaitResults(1).get(id);
      assertEquals("\"hi@1\"", new String(r.body(), StandardCharsets.UTF_8));
      assertEquals(consumer.id(), r.worker());
    }
  }
}
