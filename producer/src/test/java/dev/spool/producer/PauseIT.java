package dev.spool.producer;

import static dev.spool.testing.services.Announcements.awaitGeneration;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pausing a work queue against consumer processes: they stop taking tasks without stopping, a
 * consumer started while paused starts paused, nothing is lost across pause and resume, and stop
 * says why it counts no consumer while paused.
 */
@ExtendWith(SpoolServicesExtension.class)
final class PauseIT {
  private static final Duration LONG = Duration.ofMinutes(2);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void pauseAndResume_areAnnouncedToEveryProcess_aPauseAlreadyInForceIsNot(SpoolTestEnv env)
      throws Exception {
    try (TaskPool pool = TestSpools.pool(env.config());
        RedisState state = env.sharedState();
        var changes = state.controlChanges()) {
      long g0 = changes.generation();
      assertTrue(pool.admin().pause());
      awaitGeneration(changes, g0 + 1);
      assertFalse(pool.admin().pause(), "paused already: nothing changed, nothing announced");
      assertTrue(pool.admin().resume());
      awaitGeneration(changes, g0 + 2);
    }
  }

  @Test
  void pause_consumersTakeNothingButStayAlive_resumeRunsEverythingOnce(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(2, true, "--concurrency", "2");
    String queue = env.workQueue("tasks");
    try (TaskPool pool =
            TestSpools.pool(env.config(), TaskPoolConfig.builder().defaultTimeout(LONG).build());
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      // Paused mid-run: 300 tasks of 100 ms on 4 workers, paused after 20 have started.
      Thread mapper =
          Thread.ofPlatform()
              .start(
                  () ->
                      pool.map(
                          "mark",
                          LongStream.range(0, 300).mapToObj(i -> new Mark(i, 100)).toList(),
                          Long.class,
                          MapOptions.defaults().withChunksize(1)));
      await().atMost(LONG).until(() -> runs.size() >= 20);
      SpoolProcesses.Run pause = procs.runProducer("pause");
      assertEquals(0, pause.exit(), pause.stderr());
      assertEquals(queue + " paused\n", pause.stdout());
      await().atMost(LONG).until(() -> consumersOn(env, queue) == 0);
      Thread.sleep(500); // running tasks finish; nothing new starts
      long atPause = runs.size();
      Thread.sleep(2000);
      assertEquals(atPause, runs.size(), "no task started while paused");
      assertTrue(atPause < 300, "paused with " + atPause + " of 300 run");
      assertTrue(consumers.stream().allMatch(Process::isAlive), "paused, not stopped");
      assertTrue(env.ready(queue) > 0, "the rest wait in the queue");

      // A consumer started while paused starts paused.
      procs.startConsumer("consumer-late", true, Map.of());
      await().atMost(LONG).until(() -> procs.read("consumer-late.err").contains("paused ("));
      assertEquals(0, consumersOn(env, queue));

      SpoolProcesses.Run status = procs.runProducer("status");
      assertTrue(status.stdout().contains("PAUSED"), status.stdout());
      assertTrue(procs.runProducer("pause").stdout().contains("already paused (paused by"));
      SpoolProcesses.Run stop = procs.runProducer("stop");
      assertTrue(stop.stderr().contains("is paused by"), stop.stderr());
      assertEquals("sent 0 poison pill(s) to " + queue + "\n", stop.stdout());

      long start = System.nanoTime();
      assertTrue(pool.admin().resume());
      assertFalse(pool.admin().resume(), "not paused any more");
      mapper.join(LONG.toMillis());
      assertFalse(mapper.isAlive(), "the map finished after the resume");
      assertEquals(300, runs.size(), "every task ran");
      for (long i = 0; i < 300; i++) {
        assertEquals(1L, runs.get(i).orElse(0L), "task " + i + " ran once");
      }
      await().atMost(LONG).until(() -> consumersOn(env, queue) == 3);
      System.out.printf(
          "paused after %d of 300 tasks had started; the map finished %d ms after the resume%n",
          atPause, (System.nanoTime() - start) / 1_000_000);

      assertEquals(0, procs.runProducer("stop").exit());
      for (Process c : consumers) {
        assertTrue(c.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, c.exitValue());
      }
    }
  }

  /**
   * A pause while a task runs, and a resume before it ends: the queue still counts that delivery
   * against the old subscription, and RabbitMQ before 3.10.9 closed the whole connection (541
   * INTERNAL_ERROR, rabbitmq-server#5927) when a consumer cancelled and subscribed again under the
   * same consumer tag with a delivery unsettled. The consumer keeps its connection, the long task
   * runs once, and the tasks sent after the resume run too.
   */
  @Test
  void resume_whileATaskFromBeforeThePauseStillRuns_keepsConsuming(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process consumer = procs.startConsumers(1, true, "--concurrency", "2").get(0);
    try (TaskPool pool =
            TestSpools.pool(env.config(), TaskPoolConfig.builder().defaultTimeout(LONG).build());
        RedisState state = env.sharedState()) {
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      // 12 s: a pause and a resume take well under a second, a few on a loaded machine
      var longTask = pool.applyAsync("mark", new Mark(1000, 12_000), Long.class);
      await().atMost(LONG).until(() -> runs.get(1000L).isPresent());
      assertTrue(pool.admin().pause());
      // (A quorum queue counts a cancelled consumer until its deliveries are settled.)
      await().atMost(LONG).until(() -> procs.read("consumer-0.err").contains("paused ("));
      assertTrue(pool.admin().resume());
      await().atMost(LONG).until(() -> procs.read("consumer-0.err").contains("resumed"));
      assertFalse(longTask.isDone(), "resumed while the task from before the pause still runs");
      List<Long> after =
          pool.map(
              "mark", LongStream.range(0, 20).mapToObj(i -> new Mark(i, 0)).toList(), Long.class);
      assertEquals(LongStream.range(0, 20).boxed().toList(), after);
      assertEquals(1000L, longTask.get(1, TimeUnit.MINUTES));
      assertEquals(1L, runs.get(1000L).orElse(0L), "the long task ran once");
      String log = procs.read("consumer-0.err");
      assertFalse(log.contains("INTERNAL_ERROR"), log);
      assertFalse(log.contains("connection lost"), log);
      assertTrue(consumer.isAlive());
      assertEquals(0, procs.runProducer("stop").exit());
      assertTrue(consumer.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, consumer.exitValue());
    }
  }

  private static long consumersOn(SpoolTestEnv env, String queue) {
    try (var ch = env.connection().createChannel()) {
      return ch.queueDeclarePassive(queue).getConsumerCount();
    } catch (Exception e) {
      return -1;
    }
  }
}
