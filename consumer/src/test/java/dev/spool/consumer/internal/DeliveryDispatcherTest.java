package dev.spool.consumer.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Envelope;
import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.PoisonPill;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher on the client's delivery thread, against a fake broker: bad input is dead-lettered
 * once with its reason and never thrown back at the client, pills stop the consumer only when they
 * apply, and every delivery is settled once.
 */
final class DeliveryDispatcherTest {
  private final FakeBroker broker = new FakeBroker();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final WorkerPool workers = new WorkerPool(2, false);
  private final List<String> stops = new CopyOnWriteArrayList<>();
  private final HandlerRegistry registry =
      new HandlerRegistry()
          .register("square", Long.class, (Long x, dev.spool.TaskContext c) -> x * x);
  private final Clock clock = Clock.systemUTC();
  private final DeliveryDispatcher dispatcher =
      new DeliveryDispatcher(
          broker.consuming(),
          registry,
          workers,
          timer,
          broker.outcomes(ConsumerConfig.builder().build()),
          broker.counters,
          clock,
          new DeliveryDispatcher.StopSignals() {
            @Override
            public void stopRequested(String why) {
              stops.add("stop: " + why);
            }

            @Override
            public void channelLost(String why) {
              stops.add("lost: " + why);
            }
          },
          new Cancellations(broker.state.expiringSet("cancelled"), clock));

  @AfterEach
  void stop() {
    workers.shutdownNow();
    timer.shutdownNow();
    broker.state.close();
  }

  private void deliver(long tag, AMQP.BasicProperties props, String body) {
    synchronized (broker) {
      broker.unacked.add(tag);
    }
    dispatcher.handleDelivery(
        "c1",
        new Envelope(tag, false, "", "ns.work.tasks"),
        props,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private void confirmAll() throws Exception {
    for (FakeBroker.Published p : broker.published) broker.confirm(p);
  }

  @Test
  void badInput_deadLetteredOnceWithItsReason_theConsumerCarriesOn() throws Exception {
    deliver(1, FakeBroker.task("t1", "no-such-task", Map.of()), "1");
    deliver(2, FakeBroker.task("t2", "square", Map.of(Headers.ATTEMPT, "not a number")), "1");
    deliver(3, new AMQP.BasicProperties.Builder().type("square").build(), "1"); // no message id
    deliver(4, FakeBroker.task("t4", "square", Map.of()), "x".repeat(2 << 20)); // over the limit
    deliver(5, null, null); // no properties at all: caught, never thrown at the client
    List<String> reasons =
        broker.to("ns.dead.tasks").stream().map(p -> p.header(Headers.DEAD_REASON)).toList();
    assertEquals(
        List.of("unknown-task", "decode-error", "decode-error", "too-large"),
        reasons.subList(0, 4));
    confirmAll();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              broker.flushAcks();
              return broker.frames.size() == 5 && broker.unacked.isEmpty();
            });
    assertEquals(List.of(), broker.channelErrors, broker.frames.toString());
    assertEquals(List.of(), stops, "bad input never stops the consumer");
    // A good task after all that still runs and is answered.
    deliver(6, FakeBroker.task("t6", "square", Map.of()), "7");
    await().atMost(Duration.ofSeconds(10)).until(() -> !broker.to("ns.reply.p1").isEmpty());
    FakeBroker.Published result =
        broker.to("ns.reply.p1").stream()
            .filter(p -> "t6".equals(p.props().getCorrelationId()))
            .findFirst()
            .orElseThrow();
    assertEquals("49", new String(result.body(), StandardCharsets.UTF_8));
  }

  @Test
  void pills_onlyOneIssuedSinceTheStartStops_theOldAndTheFarFutureOnesAreDropped()
      throws Exception {
    Instant now = clock.instant();
    PoisonPill old = PoisonPill.issue(now.minus(Duration.ofHours(1)), "old");
    PoisonPill future = PoisonPill.issue(now.plus(Duration.ofHours(1)), "hand-made");
    PoisonPill current = PoisonPill.issue(now.plusMillis(50), "stop");
    deliver(1, old.toProperties(), "{}");
    deliver(2, future.toProperties(), "{}");
    assertEquals(List.of(), stops, "neither stops it");
    deliver(3, current.toProperties(), "{}");
    assertEquals(1, stops.size());
    assertTrue(stops.getFirst().startsWith("stop: poison pill"), stops.toString());
    PoisonPill another = PoisonPill.issue(now.plusMillis(60), "stop");
    deliver(4, another.toProperties(), "{}"); // meant for another consumer: handed back
    deliver(5, FakeBroker.task("t5", "square", Map.of()), "2"); // stopping: handed back
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              broker.flushAcks();
              return broker.unacked.isEmpty();
            });
    assertEquals(List.of("requeue 4", "requeue 5", "ack 1", "ack 2", "ack 3"), sorted());
    assertEquals(List.of(), broker.channelErrors);
  }

  private List<String> sorted() {
    return broker.frames.stream()
        .sorted(
            (a, b) ->
                a.startsWith("requeue") == b.startsWith("requeue")
                    ? a.compareTo(b)
                    : a.startsWith("requeue") ? -1 : 1)
        .toList();
  }
}
