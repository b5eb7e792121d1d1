package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.SharedDict;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.core.SpoolConnectionException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpoolServicesExtension.class)
final class SpoolIT {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String ME = "/" + ProcessHandle.current().pid();

  /** Connections this JVM has open on the broker now, by client-provided name. */
  private static List<String> mine(SpoolTestEnv env) {
    return env.faults().connectionNames().stream().filter(n -> n.endsWith(ME)).toList();
  }

  @Test
  void connect_everyHandleSharesOneConnection_andCloseClosesThemAll(SpoolTestEnv env) {
    env.track(env.topology().plainQueue("shared"));
    env.track(env.topology().plainQueue("joined"));
    env.track(env.topology().pipeQueue("talk", "a"));
    env.track(env.topology().pipeQueue("talk", "b"));
    env.connection(); // the test's own connection, open before counting
    int before = mine(env).size();
    Spool spool = Spool.connect(env.config());
    TaskPool pool = spool.pool();
    SpoolQueue<Integer> queue = spool.queue("shared", Integer.class);
    JoinableQueue<String> joinable = spool.joinableQueue("joined", String.class);
    Pipe<String> a = spool.pipe("talk", String.class);
    Pipe<String> b = spool.pipe("talk", String.class);
    DeadLetters dead = spool.deadLetters("tasks");
    env.track(pool.replyQueue());

    await().atMost(WAIT).until(() -> mine(env).size() == before + 1);
    assertEquals(1, mine(env).stream().filter(n -> n.startsWith("spool-spool ")).count());
    assertEquals(6, spool.openHandles());

    queue.put(7);
    assertEquals(7, queue.get(WAIT));
    joinable.put("job");
    assertEquals("job", joinable.get(WAIT));
    joinable.taskDone();
    joinable.join(WAIT);
    assertEquals(Pipe.End.A, a.end());
    assertEquals(Pipe.End.B, b.end());
    a.send("ping");
    assertEquals("ping", b.recv(WAIT));
    assertEquals(0, dead.count());
    assertEquals(0, pool.admin().consumerCount());
    SharedDict<String, Long> dict = spool.state().dict("totals", String.class, Long.class);
    dict.put("n", 3L);
    assertEquals(java.util.Optional.of(3L), dict.get("n"));

    queue.disconnect(); // one handle closed: its channels go, the rest keep working
    assertEquals(5, spool.openHandles());
    b.send("pong");
    assertEquals("pong", a.recv(WAIT));
    assertEquals(1, mine(env).stream().filter(n -> n.startsWith("spool-spool ")).count());

    spool.close();
    assertEquals(0, spool.openHandles());
    assertThrows(IllegalStateException.class, () -> pool.apply("square", 2, Long.class));
    assertThrows(IllegalStateException.class, () -> a.send("after"));
    assertThrows(IllegalStateException.class, () -> joinable.put("after"));
    assertThrows(IllegalStateException.class, () -> spool.queue("shared", Integer.class));
    assertThrows(IllegalStateException.class, spool::state);
    await().atMost(WAIT).until(() -> mine(env).size() == before);
    spool.close(); // twice is harmless
    env.jedis().del(env.namespace() + ":dict:totals");
  }

  @Test
  void embeddedConsumers_workOnTheSpoolsConnection_andCloseWithIt(SpoolTestEnv env)
      throws Exception {
    env.connection();
    int before = mine(env).size();
    Spool spool = Spool.connect(env.config());
    HandlerRegistry tasks = new HandlerRegistry().register("twice", Long.class, (x, ctx) -> 2 * x);
    SpoolConsumer first = spool.consumer(ConsumerConfig.builder().concurrency(2).build(), tasks);
    SpoolConsumer second = spool.consumer(ConsumerConfig.builder().concurrency(2).build(), tasks);
    TaskPool pool = spool.pool();
    env.track(pool.replyQueue());

    assertEquals(List.of(2L, 4L, 6L), pool.map("twice", List.of(1, 2, 3), Long.class));
    await().atMost(WAIT).until(() -> pool.admin().consumerCount() == 2);
    assertEquals(1, mine(env).size() - before, "two workers and a pool on one connection");
    assertEquals(3, spool.openHandles());

    second.close(); // one worker stops; the connection and the other worker go on
    assertEquals(2, spool.openHandles());
    assertEquals(List.of(20L), pool.map("twice", List.of(10), Long.class));
    assertEquals(1, mine(env).size() - before);

    spool.close(); // closes the rest, the first worker drained
    assertEquals(0, spool.openHandles());
    await().atMost(WAIT).until(() -> mine(env).size() == before);
    try (var ch = env.connection().createChannel()) { // the first worker stopped consuming too
      assertEquals(0, ch.queueDeclarePassive(env.workQueue("tasks")).getConsumerCount());
    }
  }

  @Test
  void resultsSchedulesAndAScheduler_comeFromTheSpool_andCloseWithIt(SpoolTestEnv env)
      throws Exception {
    try (Spool spool = Spool.connect(env.config())) {
      HandlerRegistry tasks =
          new HandlerRegistry().register("twice", Long.class, (x, ctx) -> 2 * x);
      spool.consumer(ConsumerConfig.builder().build(), tasks);
      TaskPool pool = spool.pool();
      env.track(pool.replyQueue());
      String id =
          pool.submit("twice", 21L, TaskOptions.defaults().withKeepResult(Duration.ofMinutes(1)));
      assertEquals(42L, spool.result(id).get(Long.class, WAIT));

      assertTrue(spool.schedules().add(Schedule.every("tick", Duration.ofHours(1), "twice", 1L)));
      assertEquals(
          List.of("tick"),
          spool.schedules().list().stream().map(e -> e.schedule().name()).toList());
      Scheduler scheduler = spool.scheduler();
      await().atMost(WAIT).until(scheduler::leading);
      assertEquals(3, spool.openHandles(), "a consumer, a pool and the scheduler");
      scheduler.close();
      assertEquals(2, spool.openHandles());
      assertTrue(spool.schedules().remove("tick"));

      Scheduler closedWithTheSpool = spool.scheduler();
      spool.close();
      assertEquals(0, spool.openHandles());
      await().atMost(WAIT).until(() -> !closedWithTheSpool.leading());
      assertThrows(IllegalStateException.class, spool::scheduler);
      assertThrows(IllegalStateException.class, () -> spool.process(SpoolIT.class));
    }
  }

  @Test
  void connect_fiftyQueues_oneConnection(SpoolTestEnv env) {
    env.connection();
    int before = mine(env).size();
    try (Spool spool = Spool.connect(env.config())) {
      for (int i = 0; i < 50; i++) {
        SpoolQueue<String> q = spool.queue("many-" + i, String.class);
        env.track(q.queueName());
        q.put("item " + i);
      }
      await().atMost(WAIT).until(() -> mine(env).size() == before + 1);
      assertEquals(50, spool.openHandles());
    }
    await().atMost(WAIT).until(() -> mine(env).size() == before);
  }

  @Test
  void pipe_bothEndsTaken_refusedWithoutHarmingTheConnection(SpoolTestEnv env) {
    env.track(env.topology().pipeQueue("full", "a"));
    env.track(env.topology().pipeQueue("full", "b"));
    try (Spool spool = Spool.connect(env.config());
        Pipe<String> a = spool.pipe("full", String.class);
        Pipe<String> b = spool.pipe("full", String.class)) {
      assertThrows(dev.spool.core.PipeTakenException.class, () -> spool.pipe("full", String.class));
      a.send("still open");
      assertEquals("still open", b.recv(WAIT));
      assertEquals(2, spool.openHandles());
    }
  }

  @Test
  void connect_unreachableBroker_failsNamingTheSetting(SpoolTestEnv env) {
    var config =
        dev.spool.core.SpoolConfig.builder()
            .amqpUri(URI.create("amqp://guest:guest@127.0.0.1:1/%2F").toString())
            .namespace(env.namespace())
            .build();
    var e = assertThrows(SpoolConnectionException.class, () -> Spool.connect(config));
    assertTrue(e.getMessage().contains("SPOOL_AMQP_URI"), e.getMessage());
  }

  @Test
  void handleNames_areCheckedBeforeAnythingIsOpened(SpoolTestEnv env) {
    try (Spool spool = Spool.connect(env.config())) {
      assertThrows(IllegalArgumentException.class, () -> spool.queue("Bad Name", String.class));
      assertThrows(IllegalArgumentException.class, () -> spool.deadLetters("../x"));
      assertThrows(
          IllegalArgumentException.class, () -> spool.joinableQueue("ok", String.class, 0));
      assertEquals(0, spool.openHandles());
    }
  }
}
