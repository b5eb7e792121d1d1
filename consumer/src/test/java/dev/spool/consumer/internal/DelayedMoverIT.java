package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.ParkedTask;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.SharedSchedule;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The delayed-task mover against the real broker and Redis, with a longest sleep of ten minutes: a
 * task added while it sleeps is moved because Redis announced it, not because the mover polled.
 */
@ExtendWith(SpoolServicesExtension.class)
final class DelayedMoverIT {
  private static final Duration IDLE = Duration.ofMinutes(10);

  @Test
  void aTaskAddedWhileTheMoverSleeps_isMovedWhenDue_notBefore(SpoolTestEnv env) throws Exception {
    Channel channel = env.connection().createChannel();
    String queue = env.topology().declareWorkQueue(channel, "tasks");
    RedisState state = env.sharedState();
    SharedSchedule schedule = state.schedule(Topology.delayedSchedule("tasks"));
    try (DelayedMover mover = mover(env, state, queue)) {
      mover.start();
      awaitFirstClaim(mover); // it claimed nothing and sleeps: nothing waits

      Instant first = schedule.addIn("t-1", parked("t-1"), Duration.ofMillis(300));
      GetResponse got = await(channel, queue);
      Instant arrived = state.serverTime();
      assertEquals("t-1", got.getProps().getMessageId());
      assertFalse(arrived.isBefore(first), "moved at " + arrived + ", due " + first);

      // Behind an earlier one (not announced): the mover sleeps until the earlier, then this.
      Instant b = schedule.addIn("t-3", parked("t-3"), Duration.ofMillis(1500));
      Instant a = schedule.addIn("t-2", parked("t-2"), Duration.ofMillis(700));
      GetResponse second = await(channel, queue);
      assertEquals("t-2", second.getProps().getMessageId());
      assertFalse(state.serverTime().isBefore(a), "t-2 not before it was due");
      GetResponse third = await(channel, queue);
      assertEquals("t-3", third.getProps().getMessageId());
      assertFalse(state.serverTime().isBefore(b), "t-3 not before it was due");
    }
    assertEquals(0, schedule.waiting() + schedule.claimed(), "moved and marked done on close");
  }

  @Test
  void close_wakesASleepingMover(SpoolTestEnv env) throws Exception {
    Channel channel = env.connection().createChannel();
    String queue = env.topology().declareWorkQueue(channel, "tasks");
    DelayedMover mover = mover(env, env.sharedState(), queue);
    mover.start();
    awaitFirstClaim(mover);
    long t0 = System.nanoTime();
    mover.close();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < IDLE.toMillis() / 2, "close waited " + ms + " ms for a ten-minute sleep");
  }

  private static DelayedMover mover(SpoolTestEnv env, RedisState state, String queue)
      throws Exception {
    ConfirmingPublisher publisher = new ConfirmingPublisher(env.connection().createChannel(), 100);
    return new DelayedMover(
        List.of(state.schedule(Topology.delayedSchedule("tasks"))),
        publisher,
        queue,
        env.topology().urgentQueue("tasks"),
        new Counters(new SimpleMeterRegistry(), "tasks", name -> true),
        (task, why, onConfirmed) -> {
          throw new AssertionError("nothing is dead-lettered here: " + why);
        },
        IDLE);
  }

  private static String parked(String id) {
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().messageId(id).type("square").headers(Map.of()).build();
    return ParkedTask.of(props, "3".getBytes(StandardCharsets.UTF_8)).toJson();
  }

  private static void awaitFirstClaim(DelayedMover mover) {
    Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> mover.claims() >= 1);
  }

  /** The next message of {@code queue}, within a minute (the mover's own sleep is ten). */
  private static GetResponse await(Channel channel, String queue) {
    return Awaitility.await("moved within a minute")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> channel.basicGet(queue, true), java.util.Objects::nonNull);
  }
}
