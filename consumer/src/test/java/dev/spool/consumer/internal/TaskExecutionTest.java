package dev.spool.consumer.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.RetryPolicy;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.TaskMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One task run on a worker thread against a fake broker: settled once however it ends, including a
 * handler that ignores the interrupt of its time limit and comes back after its run was settled for
 * it, and a cancel while it runs.
 */
final class TaskExecutionTest {
  private final FakeBroker broker = new FakeBroker();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final WorkerPool pool = new WorkerPool(2, false);
  private final Cancellations cancellations =
      new Cancellations(broker.state.expiringSet("cancelled"), Clock.systemUTC());
  private final CountDownLatch release = new CountDownLatch(1);
  private final HandlerRegistry registry =
      new HandlerRegistry()
          .register("square", Long.class, (Long x, dev.spool.TaskContext c) -> x * x)
          .register(
              "stubborn",
              Long.class,
              (Long x, dev.spool.TaskContext c) -> {
                // Ignores interrupts, as a handler stuck in uninterruptible I/O does.
                while (true) {
                  try {
                    if (release.await(10, TimeUnit.SECONDS)) return x;
                  } catch (InterruptedException ignored) {
                    // keeps going
                  }
                }
              })
          .register(
              "slow",
              Long.class,
              (Long x, dev.spool.TaskContext c) -> {
                Thread.sleep(30_000);
                return x;
              });

  @AfterEach
  void stop() {
    release.countDown();
    pool.shutdownNow();
    timer.shutdownNow();
    broker.state.close();
  }

  private TaskExecution execution(Outcomes outcomes, long tag, String id, String name, String in) {
    Delivery d = broker.deliver(tag, FakeBroker.task(id, name, Map.of()), in);
    TaskMessage m = TaskMessage.from(d.props(), d.body());
    return new TaskExecution(
        m,
        d,
        registry.find(name).orElseThrow(),
        outcomes,
        broker.counters,
        timer,
        pool,
        cancellations,
        System.nanoTime());
  }

  private String body(FakeBroker.Published p) {
    return new String(p.body(), StandardCharsets.UTF_8);
  }

  @Test
  void success_resultSentThenAckedOnce() throws Exception {
    Outcomes outcomes = broker.outcomes(ConsumerConfig.builder().build());
    pool.execute(execution(outcomes, 1, "t1", "square", "6"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !broker.to("ns.reply.p1").isEmpty());
    assertEquals("36", body(broker.to("ns.reply.p1").getFirst()));
    broker.confirm(broker.to("ns.reply.p1").getFirst());
    broker.flushAcks();
    assertEquals(List.of("ack 1"), broker.frames);
    assertEquals(0, broker.acks.settledTwice());
  }

  @Test
  void handlerIgnoringItsTimeLimit_settledOnceAsATimeout_notAgainWhenItComesBack()
      throws Exception {
    Outcomes outcomes =
        broker.outcomes(
            ConsumerConfig.builder()
                .timeLimit(Duration.ofMillis(200))
                .retry(RetryPolicy.of(1, Duration.ofMillis(100)))
                .build());
    long t0 = System.nanoTime();
    pool.execute(execution(outcomes, 2, "t2", "stubborn", "1"));
    // Interrupted at 200 ms, ignored; abandoned after the 5 s grace and settled as a timeout.
    await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
    assertTrue(
        broker.to("ns.dead.tasks").isEmpty(),
        "abandoned before its 5 s grace (it was the time limit when shorter, 200 ms here)");
    await().atMost(Duration.ofSeconds(30)).until(() -> !broker.to("ns.dead.tasks").isEmpty());
    assertTrue(System.nanoTime() - t0 >= Duration.ofSeconds(5).toNanos(), "the grace is 5 s");
    assertEquals(1, pool.abandoned(), "its thread is left to it; another one stands in");
    assertEquals(
        "retries-exhausted", broker.to("ns.dead.tasks").getFirst().header(Headers.DEAD_REASON));
    release.countDown(); // the handler comes back with a result nobody will send
    await().atMost(Duration.ofSeconds(10)).until(() -> pool.abandoned() == 0);
    for (FakeBroker.Published p : broker.published) broker.confirm(p);
    broker.flushAcks();
    assertEquals(List.of("ack 2"), broker.frames);
    assertTrue(
        broker.to("ns.reply.p1").stream().noneMatch(p -> body(p).equals("1")),
        "the late result was not sent");
    assertEquals(0, broker.acks.settledTwice());
    assertEquals(List.of(), broker.channelErrors);
  }

  @Test
  void cancelledWhileRunning_interruptedAndSettledOnceAsCancelled() throws Exception {
    Outcomes outcomes = broker.outcomes(ConsumerConfig.builder().build());
    pool.execute(execution(outcomes, 3, "t3", "slow", "1"));
    await().atMost(Duration.ofSeconds(10)).until(() -> cancellations.running() == 1);
    var running = cancellations.active().getFirst();
    assertEquals("t3", running.id());
    cancellations.cancelled(java.util.Set.of("t3")); // as the poller does on reading Redis
    await().atMost(Duration.ofSeconds(10)).until(() -> !broker.to("ns.reply.p1").isEmpty());
    assertTrue(body(broker.to("ns.reply.p1").getFirst()).contains("cancelled while it ran"));
    broker.confirm(broker.to("ns.reply.p1").getFirst());
    broker.flushAcks();
    assertEquals(List.of("ack 3"), broker.frames);
    assertEquals(0, broker.acks.settledTwice());
  }
}
