package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.TypeToken;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpoolServicesExtension.class)
final class TaskPoolIT {
  private static List<SpoolConsumer> consumers(SpoolTestEnv env, int n) {
    List<SpoolConsumer> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(
          ConsumerRuntime.start(
              env.config(),
              ConsumerConfig.builder().concurrency(4).build(),
              HandlerRegistry.withProviders(TaskPoolIT.class.getClassLoader()),
              new ProcessIdentity("consumer", "it", i),
              Clock.systemUTC()));
    }
    return list;
  }

  private static void closeAll(List<SpoolConsumer> consumers) {
    consumers.forEach(SpoolConsumer::close);
  }

  private static List<Long> squares(int n) {
    return LongStream.range(0, n).map(i -> i * i).boxed().toList();
  }

  private static List<Long> range(int n) {
    return LongStream.range(0, n).boxed().toList();
  }

  @Test
  void applyAsync_aCallbackThatBlocks_doesNotStallTheOtherResultsOfThePool(SpoolTestEnv env)
      throws Exception {
    List<SpoolConsumer> consumers = consumers(env, 1);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      CompletableFuture<Void> blocked =
          pool.applyAsync("square", 2L, Long.class)
              .thenAccept(
                  x -> {
                    try {
                      release.await(60, java.util.concurrent.TimeUnit.SECONDS); // a user's I/O
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  });
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().resultsReceived() >= 1);
      // The blocked callback holds no thread the pool needs: the next results still arrive.
      assertEquals(9L, pool.apply("square", 3L, Long.class, Duration.ofSeconds(30)));
      CompletableFuture<Long> later = pool.applyAsync("square", 4L, Long.class);
      assertEquals(16L, later.get(30, java.util.concurrent.TimeUnit.SECONDS));
      assertFalse(blocked.isDone(), "the callback still waits");
      release.countDown();
      blocked.get(30, java.util.concurrent.TimeUnit.SECONDS);
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  pool.applyAsync("no-such-task-here", 1, Long.class)
                      .exceptionally(
                          t -> {
                            assertTrue(t instanceof TaskFailedException, t.toString());
                            throw (TaskFailedException) t;
                          })
                      .get(30, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof TaskFailedException, e.toString());
    } finally {
      closeAll(consumers);
    }
  }

  @Test
  void map_itsDeadlineFollowsThePoolsTicker_notTheSystemsClock(SpoolTestEnv env) {
    // No consumer: only the deadline ends the map. The ticker jumps an hour once the map started.
    java.util.concurrent.atomic.AtomicLong offset = new java.util.concurrent.atomic.AtomicLong();
    var session =
        dev.spool.core.wire.Session.owning(env.config(), "spool-test ticker " + env.namespace());
    try (TaskPool pool =
        TaskPool.create(
            session,
            env.config(),
            TaskPoolConfig.defaults(),
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(),
            null,
            Clock.systemUTC(),
            () -> System.nanoTime() + offset.get())) {
      MapResults<Long> run =
          pool.imap(
              "square", List.of(1L, 2L), Long.class, new MapOptions(1, Duration.ofMinutes(10)));
      offset.set(Duration.ofHours(1).toNanos());
      long t0 = System.nanoTime();
      assertThrows(TaskTimeoutException.class, () -> run.forEachRemaining(x -> {}));
      assertTrue(
          System.nanoTime() - t0 < Duration.ofMinutes(5).toNanos(),
          "ended by the pool's ticker, not after the 10 minutes of the system's");
      run.close();
    }
  }

  @Test
  void applyAndMap_genericTypesBothWays_throughTypeTokens(SpoolTestEnv env) {
    HandlerRegistry tasks =
        new HandlerRegistry()
            .register("upto", Long.class, (n, ctx) -> LongStream.range(0, n).boxed().toList())
            .register(
                "total",
                new dev.spool.TypeToken<List<Long>>() {},
                (xs, ctx) -> xs.stream().mapToLong(Long::longValue).sum());
    SpoolConsumer c =
        ConsumerRuntime.start(
            env.config(),
            ConsumerConfig.builder().concurrency(2).build(),
            tasks,
            new ProcessIdentity("consumer", "it", 1),
            Clock.systemUTC());
    try (TaskPool pool = TestSpools.pool(env.config())) {
      List<Long> xs = pool.apply("upto", 4, new TypeToken<List<Long>>() {});
      assertEquals(List.of(0L, 1L, 2L, 3L), xs);
      assertEquals(Long.class, xs.get(3).getClass(), "read as List<Long>, not List<Integer>");
      assertEquals(6L, pool.apply("total", xs, Long.class));
      List<List<Long>> lists =
          pool.map("upto", List.of(1, 2, 3), new TypeToken<List<Long>>() {}, MapOptions.defaults());
      assertEquals(List.of(List.of(0L), List.of(0L, 1L), List.of(0L, 1L, 2L)), lists);
    } finally {
      c.close();
    }
  }

  @Test
  void imap_closedAfterTenResults_stopsPublishingTheRest(SpoolTestEnv env) {
    List<SpoolConsumer> cs = consumers(env, 2);
    Iterable<Long> endless = () -> LongStream.iterate(0, i -> i + 1).boxed().iterator();
    try (TaskPool pool = TestSpools.pool(env.config())) {
      List<Long> first = new ArrayList<>();
      try (MapResults<Long> results =
          pool.imap("square", endless, Long.class, new MapOptions(1, Duration.ofMinutes(1)))) {
        while (first.size() < 10 && results.hasNext()) first.add(results.next());
      }
      assertEquals(squares(10), first);
      long[] published = {pool.stats().tasksPublished()};
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                long now = pool.stats().tasksPublished();
                boolean still = now == published[0];
                published[0] = now;
                return still;
              });
      assertTrue(published[0] < 1_000_000, "published " + published[0]);
      assertEquals(0, pool.stats().waiting(), "nothing left waiting for a result");
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void map_1000SquaresThrough3Consumers_resultsInInputOrder(SpoolTestEnv env) {
    List<SpoolConsumer> cs = consumers(env, 3);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      List<Long> out = pool.map("square", range(1000), Long.class, new MapOptions(1, null));
      assertEquals(squares(1000), out);
      PoolStats stats = pool.stats();
      assertEquals(1000, stats.tasksPublished());
      assertEquals(1000, stats.resultsReceived());
      assertEquals(3, stats.inputsByWorker().size(), stats.inputsByWorker().toString());
      assertEquals(
          1000L, stats.inputsByWorker().values().stream().mapToLong(Long::longValue).sum());
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void map_inMemoryInputsThroughAWindowOfTwo_completes(SpoolTestEnv env) {
    // Over inputs in memory the feeder holds its flushes (WriteBatch): it must write its held
    // publishes out before it waits for the window, or their confirms come only after something
    // else flushes the connection (the heartbeat, every 15 s): the map would outlast its 15 s.
    List<SpoolConsumer> cs = consumers(env, 1);
    TaskPoolConfig settings = TaskPoolConfig.builder().publishWindow(2).build();
    try (TaskPool pool = TestSpools.pool(env.config(), settings)) {
      List<Long> out =
          pool.map("square", range(300), Long.class, new MapOptions(1, Duration.ofSeconds(15)));
      assertEquals(squares(300), out);
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void map_autoChunksize_10000SquaresInOrderInFewMessages(SpoolTestEnv env) {
    List<SpoolConsumer> cs = consumers(env, 2);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      assertEquals(squares(10_000), pool.map("square", range(10_000), Long.class));
      assertTrue(pool.stats().tasksPublished() < 100, "chunked: " + pool.stats());
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void map_remoteFailure_reRaisesFirstFailureInInputOrder(SpoolTestEnv env) {
    List<SpoolConsumer> cs = consumers(env, 1);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      TaskFailedException e =
          assertThrows(
              TaskFailedException.class,
              () ->
                  pool.map(
                      "square",
                      List.of(2L, Long.MAX_VALUE, 3L),
                      Long.class,
                      new MapOptions(1, null)));
      assertEquals("java.lang.ArithmeticException", e.remote().type());
      assertEquals("long overflow", e.remote().message());
      assertEquals("square", e.taskName());
      assertFalse(e.remote().stack().isEmpty());

      TaskFailedException chunked =
          assertThrows(
              TaskFailedException.class,
              () ->
                  pool.map(
                      "fail", List.of("first", "second"), String.class, new MapOptions(2, null)));
      assertEquals("first", chunked.remote().message());
      assertEquals(0, chunked.remote().element());
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void applyAndApplyAsync_returnOrFailLikeMultiprocessing(SpoolTestEnv env) throws Exception {
    List<SpoolConsumer> cs = consumers(env, 1);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      assertEquals(144L, pool.apply("square", 12, Long.class));
      CompletableFuture<Long> f = pool.applyAsync("sleep", 50, Long.class);
      assertEquals(50L, f.get());
      CompletableFuture<String> bad = pool.applyAsync("fail", "nope", String.class);
      ExecutionException e = assertThrows(ExecutionException.class, bad::get);
      TaskFailedException tf = (TaskFailedException) e.getCause();
      assertEquals("nope", tf.remote().message());
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void imapUnorderedAndStarmap_returnEveryResult(SpoolTestEnv env) {
    List<SpoolConsumer> cs = consumers(env, 2);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      Set<Long> got = new HashSet<>();
      pool.imapUnordered("square", range(50), Long.class).forEachRemaining(got::add);
      assertEquals(new HashSet<>(squares(50)), got);

      List<Long> sums = pool.starmap("add", List.of(List.of(1, 2), List.of(3, 4, 5)), Long.class);
      assertEquals(List.of(3L, 12L), sums);
    } finally {
      closeAll(cs);
    }
  }

  @Test
  void apply_noConsumers_timesOutNotEarly_forgetsTheTask_andCountsIt(SpoolTestEnv env)
      throws Exception {
    var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    List<SpoolConsumer> consumer = List.of();
    try (TaskPool pool = TestSpools.pool(env.config(), TaskPoolConfig.defaults(), meters)) {
      long t0 = System.nanoTime();
      TaskTimeoutException e =
          assertThrows(
              TaskTimeoutException.class,
              () -> pool.apply("square", 3L, Long.class, Duration.ofMillis(400)));
      long waited = System.nanoTime() - t0;
      assertTrue(waited >= Duration.ofMillis(400).toNanos(), "gave up early: " + waited + " ns");
      assertTrue(e.getMessage().contains(pool.workQueue() + ": 0"), e.getMessage());
      assertEquals(0, pool.stats().waiting(), "the timed-out task is forgotten");
      assertEquals(
          1.0, meters.get("spool.producer.tasks.timed.out").counter().count(), "counted once");
      // A consumer that comes later drops the late task (its deadline passed); calls work again.
      consumer = consumers(env, 1);
      assertEquals(16L, pool.apply("square", 4L, Long.class, Duration.ofSeconds(30)));
      assertEquals(1, pool.stats().resultsReceived(), "no result for the task given up on");
    } finally {
      closeAll(consumer);
    }
  }

  @Test
  void apply_interruptedWhileWaiting_throwsKeepsTheFlag_andForgetsTheTask(SpoolTestEnv env)
      throws Exception {
    try (TaskPool pool = TestSpools.pool(env.config())) {
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      CompletableFuture<Boolean> flag = new CompletableFuture<>();
      Thread caller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      pool.apply("square", 3L, Long.class, Duration.ofMinutes(5));
                      thrown.complete(null);
                    } catch (RuntimeException e) {
                      thrown.complete(e);
                    }
                    flag.complete(Thread.currentThread().isInterrupted());
                  });
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().waiting() == 1);
      caller.interrupt();
      Throwable e = thrown.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertNotNull(e, "apply returned without a consumer");
      assertTrue(e.getMessage().contains("interrupted"), e.toString());
      assertTrue(flag.get(30, java.util.concurrent.TimeUnit.SECONDS), "interrupt flag kept");
      assertEquals(0, pool.stats().waiting(), "the interrupted call's task is forgotten");
    }
  }

  @Test
  void map_noConsumers_timesOutNamingTheQueue(SpoolTestEnv env) {
    try (TaskPool pool = TestSpools.pool(env.config())) {
      TaskTimeoutException e =
          assertThrows(
              TaskTimeoutException.class,
              () ->
                  pool.map(
                      "square",
                      List.of(1, 2),
                      Long.class,
                      new MapOptions(1, Duration.ofMillis(500))));
      assertTrue(e.getMessage().contains(pool.workQueue() + ": 0"), e.getMessage());
    }
  }

  @Test
  void close_deletesReplyQueue_andIsIdempotent(SpoolTestEnv env) throws Exception {
    TaskPool pool = TestSpools.pool(env.config());
    String reply = pool.replyQueue();
    assertTrue(env.queueExists(reply));
    pool.close();
    pool.close();
    assertFalse(env.queueExists(reply));
    assertThrows(IllegalStateException.class, () -> pool.map("square", List.of(1), Long.class));
  }

  @Test
  void stopConsumers_onePillEach_stopsEveryConsumer(SpoolTestEnv env) throws Exception {
    List<SpoolConsumer> cs = consumers(env, 3);
    try (TaskPool pool = TestSpools.pool(env.config())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> pool.admin().consumerCount() == 3);
      assertEquals(3, pool.admin().stopConsumers(pool.admin().consumerCount()));
      for (SpoolConsumer c : cs) {
        assertNotNull(c.awaitStopRequest(Duration.ofSeconds(20)), c.id() + " did not stop");
      }
      closeAll(cs);
      assertEquals(0, pool.admin().queueDepth(), "every pill was taken");
    }
  }
}
