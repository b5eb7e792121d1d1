package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.wire.JsonCodec;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** End to end: consumer and producer OS processes started from the built jars. */
@ExtendWith(SpoolServicesExtension.class)
final class ProcessesIT {
  private static final Duration EXIT_BOUND = Duration.ofSeconds(30);
  private final JsonCodec codec = new JsonCodec();
  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void map_threeConsumerProcesses_printsSquaresInOrderAndStopsOnPills(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(3, false);

    SpoolProcesses.Run map = procs.runProducer("map", "square", "--range", "0:2000");
    assertEquals(0, map.exit(), map.stderr());
    assertEquals(expectedSquares(2000), map.stdout().strip());

    SpoolProcesses.Run stop = procs.runProducer("stop");
    assertEquals(0, stop.exit(), stop.stderr());
    assertTrue(stop.stdout().contains("sent 3 poison pill(s)"), stop.stdout());
    assertAllExitZero(consumers);
    assertEquals(0, env.ready(env.workQueue("tasks")));
  }

  @Test
  void map_oneConsumerKilledMidMap_everyResultStillArrives(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(3, false);
    String inputs = codec.asString(Collections.nCopies(300, 100));
    ProcessBuilder pb =
        procs.producer("map", "sleep", "--inputs", inputs, "--chunksize", "1", "--timeout", "2m");
    Process map = procs.start(pb, "producer-map");

    String queue = env.workQueue("tasks");
    // One read decides: tasks started, some still waiting (each takes 100 ms, so the map is
    // still running when the kill follows at once). A second read could see the rest prefetched.
    java.util.concurrent.atomic.AtomicLong seen = new java.util.concurrent.atomic.AtomicLong();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              seen.set(env.ready(queue));
              return seen.get() > 0 && seen.get() < 250;
            });
    consumers.getFirst().destroyForcibly(); // SIGKILL: its unacked tasks go back to the queue
    assertTrue(map.isAlive(), "killed mid-map, " + seen.get() + " tasks still waiting");

    assertTrue(map.waitFor(2, TimeUnit.MINUTES), "producer finished");
    assertEquals(0, map.exitValue(), procs.read("producer-map.err"));
    assertEquals(
        codec.asString(Collections.nCopies(300, 100)), procs.read("producer-map.out").strip());

    SpoolProcesses.Run stop = procs.runProducer("stop");
    assertTrue(stop.stdout().contains("sent 2 poison pill(s)"), stop.stdout());
    assertAllExitZero(consumers.subList(1, 3));
    assertEquals(0, env.ready(queue));
  }

  @Test
  void sigterm_duringTask_taskFinishesResultArrivesConsumerExitsZero(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process consumer = procs.startConsumers(1, false).getFirst();
    try (TaskPool pool = TestSpools.pool(env.config())) {
      var result = pool.applyAsync("sleep", 1500, Long.class);
      // Confirmed by the broker, then gone from the ready count: the consumer has it.
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().publishesConfirmed() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.admin().queueDepth() == 0);

      consumer.destroy(); // SIGTERM

      assertTrue(consumer.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS), "consumer exited");
      assertEquals(0, consumer.exitValue(), procs.read("consumer-0.err"));
      assertEquals(1500L, result.get(1, TimeUnit.MINUTES), "the running task finished");
      assertTrue(
          procs.read("consumer-0.err").contains("stopping: SIGTERM"), procs.read("consumer-0.err"));
      assertEquals(0, pool.admin().queueDepth());
    }
  }

  @Test
  void demo_twoConsumers_printsSummaryAndStopsThem(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(2, false);
    SpoolProcesses.Run demo =
        procs.runProducer(
            "demo", "--squares", "3000", "--sleeps", "8", "--sleep-ms", "50", "--increments", "40");
    assertEquals(0, demo.exit(), demo.stderr());
    assertTrue(demo.stdout().contains("with 2 consumer(s)"), demo.stdout());
    assertTrue(demo.stdout().contains("square: 3000 tasks"), demo.stdout());
    assertTrue(demo.stdout().contains("sleep: 8 tasks of 50 ms"), demo.stdout());
    assertTrue(demo.stdout().contains("top words in shared dict"), demo.stdout());
    assertTrue(demo.stdout().contains("final value 40: no update lost"), demo.stdout());
    assertTrue(demo.stdout().contains("sent 2 poison pill(s)"), demo.stdout());
    assertAllExitZero(consumers);
  }

  @Test
  void producer_badArgumentsOrUnreachableBroker_exitNonZeroWithOneLine(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    SpoolProcesses.Run bad = procs.runProducer("map", "square", "--range", "9:1");
    assertEquals(2, bad.exit());
    assertTrue(bad.stderr().contains("--range: '9:1'"), bad.stderr());

    SpoolProcesses.Run missing = procs.runProducer("map", "square");
    assertEquals(2, missing.exit());
    assertTrue(missing.stderr().contains("spool-producer map: "), missing.stderr());
    assertTrue(missing.stderr().contains("Try 'spool-producer map --help'"), missing.stderr());
    assertEquals(2, missing.stderr().lines().count(), "the error and where help is, not the usage");

    List<Process> consumer = procs.startConsumers(1, false);
    SpoolProcesses.Run quiet = procs.runProducer("map", "square", "--range", "0:3");
    assertEquals(0, quiet.exit(), quiet.stderr());
    assertFalse(quiet.stderr().contains(" INFO "), "no INFO lines by default: " + quiet.stderr());
    SpoolProcesses.Run verbose = procs.runProducer("map", "square", "--range", "0:3", "--verbose");
    assertEquals(0, verbose.exit(), verbose.stderr());
    assertTrue(verbose.stderr().contains(" INFO "), "--verbose shows them: " + verbose.stderr());
    assertEquals(0, procs.runProducer("stop").exit());
    assertAllExitZero(consumer);

    ProcessBuilder pb = procs.producer("map", "square", "--range", "0:1");
    pb.environment().put("SPOOL_AMQP_URI", "amqp://guest:guest@127.0.0.1:1/%2F");
    SpoolProcesses.Run unreachable = procs.run(pb, "unreachable");
    assertEquals(1, unreachable.exit());
    assertTrue(
        unreachable.stderr().contains("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1"),
        unreachable.stderr());
    assertTrue(unreachable.stderr().contains("SPOOL_AMQP_URI"), unreachable.stderr());
    assertTrue(!unreachable.stderr().contains("\tat "), "no stack trace: " + unreachable.stderr());
    assertEquals("", unreachable.stdout());
  }

  @Test
  void spoolDemo_noServicesAndNoDocker_oneLineSayingBothWaysAndExitOne(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    java.nio.file.Path demo = java.nio.file.Path.of("..", "bin", "spool-demo").toAbsolutePath();
    ProcessBuilder pb = new ProcessBuilder(demo.toString(), "--consumers", "1");
    pb.environment().put("SPOOL_AMQP_URI", "amqp://guest:guest@127.0.0.1:1/%2F");
    pb.environment().put("SPOOL_REDIS_URI", "redis://127.0.0.1:2/0");
    pb.environment().put("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    SpoolProcesses.Run run = procs.run(pb, "spool-demo");
    assertEquals(1, run.exit(), run.stderr());
    String err = run.stderr().strip();
    assertEquals(1, err.lines().count(), "one line: " + err);
    assertTrue(err.contains("nothing answers on 127.0.0.1:1 (RabbitMQ) and 127.0.0.1:2 (Redis)"));
    assertTrue(err.contains("apt-get install rabbitmq-server redis-server"), err);
    assertTrue(err.contains("bin/spool-docker-setup"), err);
    assertEquals("", run.stdout());
  }

  @Test
  void everyCommand_help_printsUsageAndExitsZero(SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    for (String cmd : new String[] {"map", "stop", "demo"}) {
      SpoolProcesses.Run help = procs.run(procs.producer(cmd, "--help"), "help-" + cmd);
      assertEquals(0, help.exit(), help.stderr());
      assertTrue(help.stdout().startsWith("Usage: spool-producer " + cmd), help.stdout());
    }
    SpoolProcesses.Run top = procs.run(procs.producer("--help"), "help-producer");
    assertEquals(0, top.exit());
    assertTrue(top.stdout().contains("map") && top.stdout().contains("demo"), top.stdout());
    SpoolProcesses.Run none = procs.run(procs.producer(), "no-command");
    assertEquals(2, none.exit());
    assertTrue(none.stderr().contains("name a command"), none.stderr());

    SpoolProcesses.Run consumer = procs.run(procs.consumer("--help"), "help-consumer");
    assertEquals(0, consumer.exit(), consumer.stderr());
    assertTrue(consumer.stdout().startsWith("Usage: spool-consumer"), consumer.stdout());
  }

  @Test
  void consumer_badConfigOrUnreachableBroker_oneLineAndNonZeroExit(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    SpoolProcesses.Run bad =
        procs.run(procs.consumer("--prefetch", "1", "--concurrency", "4"), "bad");
    assertEquals(2, bad.exit());
    assertTrue(bad.stderr().contains("prefetch must be at least concurrency (4)"), bad.stderr());

    ProcessBuilder pb = procs.consumer();
    pb.environment().put("SPOOL_AMQP_URI", "amqp://guest:guest@127.0.0.1:1/%2F");
    SpoolProcesses.Run down = procs.run(pb, "unreachable");
    assertEquals(1, down.exit());
    assertTrue(
        down.stderr()
            .contains("spool-consumer: cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1"),
        down.stderr());
    assertTrue(!down.stderr().contains("\tat "), "no stack trace: " + down.stderr());

    ProcessBuilder ns = procs.consumer();
    ns.environment().put("SPOOL_NAMESPACE", "Not Valid");
    SpoolProcesses.Run badNs = procs.run(ns, "bad-namespace");
    assertEquals(2, badNs.exit());
    assertTrue(badNs.stderr().contains("SPOOL_NAMESPACE: 'Not Valid'"), badNs.stderr());
  }

  private String expectedSquares(int n) {
    return codec.asString(LongStream.range(0, n).map(i -> i * i).boxed().toList());
  }

  private static void assertAllExitZero(List<Process> consumers) throws InterruptedException {
    for (Process p : consumers) {
      assertTrue(
          p.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS), "consumer " + p.pid() + " exited");
      assertEquals(0, p.exitValue(), "consumer " + p.pid() + " exit code");
    }
  }
}
