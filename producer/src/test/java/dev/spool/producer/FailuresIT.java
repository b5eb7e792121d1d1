package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.SpoolBrokerBlockedException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.PoisonPill;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import dev.spool.testing.services.OwnServices;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a bad day does to real processes: a blocked broker, a producer killed, Redis away. */
@ExtendWith(SpoolServicesExtension.class)
final class FailuresIT {
  private final JsonCodec codec = new JsonCodec();
  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  @OwnServices
  void stopAndMap_brokerInAMemoryAlarm_exitOneInBoundedTimeNamingTheAlarm(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    env.topology().declareWorkQueue(env.connection().createChannel(), "tasks");
    env.faults().raiseMemoryAlarm();
    try {
      long start = System.nanoTime();
      SpoolProcesses.Run stop = procs.runProducer("stop", "--count", "1");
      long stopSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      assertEquals(1, stop.exit(), stop.stderr());
      assertTrue(stop.stderr().contains("low on memory"), stop.stderr());
      assertTrue(stop.stderr().contains("memory or disk alarm"), stop.stderr());
      assertTrue(stop.stderr().contains("may still reach consumers"), stop.stderr());
      assertFalse(stop.stderr().contains("\tat "), "no stack trace: " + stop.stderr());
      assertTrue(stopSeconds < 20, "stop took " + stopSeconds + " s");

      SpoolProcesses.Run map =
          procs.runProducer("map", "square", "--range", "0:3", "--timeout", "8s");
      assertEquals(1, map.exit(), map.stderr());
      assertTrue(map.stderr().contains("low on memory"), map.stderr());
      assertFalse(map.stderr().contains("are they running"), map.stderr());

      // A workflow gives up as soon as a publish does, and reads failed, not pending for a day.
      try (TaskPool pool = SpoolProcesses.pool(env, Duration.ofMinutes(5))) {
        long t0 = System.nanoTime();
        SpoolBrokerBlockedException e =
            assertThrows(
                SpoolBrokerBlockedException.class,
                () ->
                    pool.submit(
                        Workflow.chain(Workflow.task("square", 2), Workflow.task("square")),
                        TaskOptions.defaults().withId("wf-in-alarm")));
        long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
        assertTrue(waited < 30, "gave up after " + waited + " s, not the 5 minute timeout");
        assertTrue(e.getMessage().contains("low on memory"), e.getMessage());
        TaskStatus status = pool.result("wf-in-alarm").status();
        assertEquals(TaskState.FAILED, status.state());
        assertTrue(
            status.error().messageOrEmpty().contains("first steps could not be sent"),
            status.error().toString());
      }
    } finally {
      env.faults().clearMemoryAlarm();
    }
  }

  @Test
  void map_producerKilled_itsRemainingTasksAreSkippedNotRun(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(1, false, "--concurrency", "2");
    String inputs = codec.asString(Collections.nCopies(100, 1000)); // 100 tasks of 1 s
    Process map =
        procs.start(procs.producer("map", "sleep", "--inputs", inputs, "--chunksize", "1"), "map");
    String queue = env.workQueue("tasks");
    await().atMost(Duration.ofSeconds(60)).until(() -> unacked(env, queue) > 0);
    map.destroyForcibly(); // kill -9: its reply queue stays, with nobody reading it
    assertTrue(map.waitFor(10, TimeUnit.SECONDS));

    // Another producer's map, queued behind the dead one's tasks, is not held up by them: they
    // are set aside while nobody reads their results, and skipped once nobody has for 10 s.
    try (TaskPool next = SpoolProcesses.pool(env, Duration.ofMinutes(2))) {
      List<Long> squares =
          next.map("square", List.of(1L, 2L, 3L), Long.class, new MapOptions(1, null));
      assertEquals(List.of(1L, 4L, 9L), squares);
      String sofar = procs.read("consumer-0.err");
      assertFalse(
          sofar.contains("nobody receives results on"),
          "the next map waited for the dead producer's tasks to be skipped: " + sofar);
    }
    String delayed = env.namespace() + ".delay.";
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> procs.read("consumer-0.err").contains("nobody receives results on"));
    await() // the set-aside tasks come back, and are skipped
        .atMost(Duration.ofSeconds(60))
        .during(Duration.ofSeconds(3))
        .until(
            () ->
                env.ready(queue) == 0
                    && unacked(env, queue) == 0
                    && env.faults().queueCounts(delayed).values().stream()
                            .mapToLong(c -> c[0] + c[1])
                            .sum()
                        == 0);
    assertEquals(0, procs.runProducer("stop").exit());
    assertTrue(consumers.getFirst().waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, consumers.getFirst().exitValue());
    String log = procs.read("consumer-0.err");
    assertTrue(log.contains("nobody receives results on " + env.namespace() + ".reply."), log);
    long succeeded = stat(log, "succeeded");
    long abandoned = stat(log, "abandoned");
    assertEquals(100 + 3, succeeded + abandoned, log); // and the next map's three
    assertTrue(abandoned >= 80, "skipped " + abandoned + ", ran " + succeeded);
  }

  @Test
  void redisAway_consumerWarnsAtStart_statusSaysSoInOneLine_stopDatesByHostClock(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String closed = "redis://127.0.0.1:1/0";
    ProcessBuilder consumer = procs.consumer("--redis-uri", closed);
    Process c = procs.start(consumer, "consumer-0");
    String queue = env.workQueue("tasks");
    await().atMost(Duration.ofSeconds(60)).until(() -> consumersOn(env, queue) == 1);
    String log = procs.read("consumer-0.err");
    assertTrue(log.contains("Redis does not answer at redis://127.0.0.1:1/0"), log);

    SpoolProcesses.Run status = procs.runProducer("status", "--redis-uri", closed);
    assertEquals(1, status.exit(), status.stderr());
    assertTrue(status.stderr().contains("cannot reach Redis at"), status.stderr());
    assertFalse(status.stderr().contains("\tat "), "no stack trace: " + status.stderr());

    SpoolProcesses.Run stop = procs.runProducer("stop", "--redis-uri", closed);
    assertEquals(0, stop.exit(), stop.stderr());
    assertTrue(stop.stderr().contains("dating the pills by this host's clock"), stop.stderr());
    assertTrue(c.waitFor(60, TimeUnit.SECONDS), "the host-dated pill still stops it");
    assertEquals(0, c.exitValue());
  }

  @Test
  void pillDatedInTheFuture_droppedNotObeyed_soItCannotStopConsumersStartedLater(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(1, false);
    String queue = env.workQueue("tasks");
    for (String clock : List.of(PoisonPill.CLOCK_HOST, PoisonPill.CLOCK_REDIS)) {
      PoisonPill pill = PoisonPill.issue(Instant.now().plus(Duration.ofHours(1)), "test", clock);
      env.connection().createChannel().basicPublish("", queue, pill.toProperties(), pill.body());
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> procs.read("consumer-0.err").split("dropped pill").length > 2);
    String log = procs.read("consumer-0.err");
    assertTrue(log.contains("ahead of this consumer's clock"), log);
    assertTrue(consumers.getFirst().isAlive(), "not stopped by a pill dated an hour ahead");
    assertEquals(0, env.ready(queue), "and the pills are gone: no later consumer meets them");
    SpoolProcesses.Run stop = procs.runProducer("stop");
    assertEquals(0, stop.exit(), stop.stderr());
    assertTrue(consumers.getFirst().waitFor(60, TimeUnit.SECONDS), "a real pill still stops it");
    assertEquals(0, consumers.getFirst().exitValue());
  }

  @Test
  void stop_withRedis_datesPillsByRedisTime_andALeftoverPillNeverStopsALaterConsumer(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    env.topology().declareWorkQueue(env.connection().createChannel(), "tasks");
    SpoolProcesses.Run stop = procs.runProducer("stop", "--count", "1"); // nobody to stop yet
    assertEquals(0, stop.exit(), stop.stderr());
    assertFalse(stop.stderr().contains("host's clock"), stop.stderr());
    List<Process> consumers = procs.startConsumers(1, false);
    String queue = env.workQueue("tasks");
    await().atMost(Duration.ofSeconds(30)).until(() -> env.ready(queue) == 0);
    assertTrue(consumers.getFirst().isAlive(), "the leftover pill was dropped");
    assertEquals(0, procs.runProducer("stop").exit());
    assertTrue(consumers.getFirst().waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, consumers.getFirst().exitValue());
    assertTrue(procs.read("consumer-0.err").contains("dropped pill"));
  }

  @Test
  void map_noConsumerAttached_saysSoAtOnceAndPrintsProgressWhileWaiting(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    SpoolProcesses.Run map =
        procs.runProducer(
            "map", "square", "--range", "0:2", "--timeout", "7s", "--progress", "lines");
    assertEquals(1, map.exit(), map.stderr());
    assertTrue(map.stderr().contains("no consumer is attached to " + env.workQueue("tasks")));
    assertTrue(map.stderr().contains("map square: 0 of 2"), "a progress line: " + map.stderr());
  }

  @Test
  void missingVhost_saidPlainly(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String uri = env.config().amqpUri().toString().replaceFirst("/[^/]*$", "/no-such-vhost");
    ProcessBuilder pb = procs.producer("stop", "--count", "0");
    pb.environment().put("SPOOL_AMQP_URI", uri);
    SpoolProcesses.Run run = procs.run(pb, "producer-stop");
    assertEquals(1, run.exit(), run.stderr());
    assertTrue(run.stderr().contains("virtual host 'no-such-vhost' does not exist"), run.stderr());
    assertFalse(run.stderr().contains("is it running"), run.stderr());
  }

  private static long stat(String log, String name) {
    Matcher m = Pattern.compile("ConsumerStats\\[.*\\b" + name + "=(\\d+)").matcher(log);
    assertTrue(m.find(), name + " in " + log);
    return Long.parseLong(m.group(1));
  }

  private static long unacked(SpoolTestEnv env, String queue) {
    long[] counts = env.faults().queueCounts(queue).get(queue);
    return counts == null ? 0 : counts[1];
  }

  private static long consumersOn(SpoolTestEnv env, String queue) {
    try (var ch = env.connection().createChannel()) {
      return ch.queueDeclarePassive(queue).getConsumerCount();
    } catch (Exception e) {
      return -1;
    }
  }
}
