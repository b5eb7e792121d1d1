package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.wire.JsonCodec;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
  private final List<Process> started = new ArrayList<>();
  private final JsonCodec codec = new JsonCodec();
  private Path logs;

  @AfterEach
  void killLeftovers() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void map_threeConsumerProcesses_printsSquaresInOrderAndStopsOnPills(
      SpoolTestEnv env, TestInfo info) throws Exception {
    logs = logDir(info);
    List<Process> consumers = startConsumers(env, 3);

    Run map = runProducer(env, "map", "square", "--range", "0:2000");
    assertEquals(0, map.exit, map.stderr);
    assertEquals(expectedSquares(2000), map.stdout.strip());

    Run stop = runProducer(env, "stop");
    assertEquals(0, stop.exit, stop.stderr);
    assertTrue(stop.stdout.contains("sent 3 poison pill(s)"), stop.stdout);
    assertAllExitZero(consumers);
    assertEquals(0, env.ready(env.workQueue("tasks")));
  }

  @Test
  void map_oneConsumerKilledMidMap_everyResultStillArrives(SpoolTestEnv env, TestInfo info)
      throws Exception {
    logs = logDir(info);
    List<Process> consumers = startConsumers(env, 3);
    String inputs = codec.asString(Collections.nCopies(300, 100));
    ProcessBuilder pb =
        producer(env, "map", "sleep", "--inputs", inputs, "--chunksize", "1", "--timeout", "2m");
    Process map = start(pb, "producer-map");

    String queue = env.workQueue("tasks");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> env.ready(queue) > 0 && env.ready(queue) < 250);
    long readyAtKill = env.ready(queue);
    consumers.getFirst().destroyForcibly(); // SIGKILL: its unacked tasks go back to the queue
    assertTrue(readyAtKill > 0, "killed mid-map");

    assertTrue(map.waitFor(2, TimeUnit.MINUTES), "producer finished");
    assertEquals(0, map.exitValue(), read("producer-map.err"));
    assertEquals(codec.asString(Collections.nCopies(300, 100)), read("producer-map.out").strip());

    Run stop = runProducer(env, "stop");
    assertTrue(stop.stdout.contains("sent 2 poison pill(s)"), stop.stdout);
    assertAllExitZero(consumers.subList(1, 3));
    assertEquals(0, env.ready(queue));
  }

  @Test
  void sigterm_duringTask_taskFinishesResultArrivesConsumerExitsZero(
      SpoolTestEnv env, TestInfo info) throws Exception {
    logs = logDir(info);
    Process consumer = startConsumers(env, 1).getFirst();
    try (TaskPool pool = TaskPool.create(env.config())) {
      var result = pool.applyAsync("sleep", 1500, Long.class);
      // Confirmed by the broker, then gone from the ready count: the consumer has it.
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().publishesConfirmed() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> pool.queueDepth() == 0);

      consumer.destroy(); // SIGTERM

      assertTrue(consumer.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS), "consumer exited");
      assertEquals(0, consumer.exitValue(), read("consumer-0.err"));
      assertEquals(1500L, result.get(1, TimeUnit.MINUTES), "the running task finished");
      assertTrue(read("consumer-0.err").contains("stopping: SIGTERM"), read("consumer-0.err"));
      assertEquals(0, pool.queueDepth());
    }
  }

  @Test
  void demo_twoConsumers_printsSummaryAndStopsThem(SpoolTestEnv env, TestInfo info)
      throws Exception {
    logs = logDir(info);
    List<Process> consumers = startConsumers(env, 2);
    Run demo =
        runProducer(
            env,
            "demo",
            "--squares",
            "3000",
            "--sleeps",
            "8",
            "--sleep-ms",
            "50",
            "--increments",
            "40");
    assertEquals(0, demo.exit, demo.stderr);
    assertTrue(demo.stdout.contains("with 2 consumer(s)"), demo.stdout);
    assertTrue(demo.stdout.contains("square: 3000 tasks"), demo.stdout);
    assertTrue(demo.stdout.contains("sleep: 8 tasks of 50 ms"), demo.stdout);
    assertTrue(demo.stdout.contains("top words in shared dict"), demo.stdout);
    assertTrue(demo.stdout.contains("final value 40: no update lost"), demo.stdout);
    assertTrue(demo.stdout.contains("sent 2 poison pill(s)"), demo.stdout);
    assertAllExitZero(consumers);
  }

  @Test
  void producer_badArgumentsOrUnreachableBroker_exitNonZeroWithOneLine(
      SpoolTestEnv env, TestInfo info) throws Exception {
    logs = logDir(info);
    Run bad = runProducer(env, "map", "square", "--range", "9:1");
    assertEquals(2, bad.exit);
    assertTrue(bad.stderr.contains("--range: '9:1'"), bad.stderr);

    Run missing = runProducer(env, "map", "square");
    assertEquals(2, missing.exit);
    assertTrue(missing.stderr.contains("Usage: spool-producer map"), missing.stderr);

    ProcessBuilder pb = producer(env, "map", "square", "--range", "0:1");
    pb.environment().put("SPOOL_AMQP_URI", "amqp://guest:guest@127.0.0.1:1/%2F");
    Run unreachable = run(pb, "unreachable");
    assertEquals(1, unreachable.exit);
    assertTrue(
        unreachable.stderr.contains("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1"),
        unreachable.stderr);
    assertTrue(unreachable.stderr.contains("SPOOL_AMQP_URI"), unreachable.stderr);
    assertTrue(!unreachable.stderr.contains("\tat "), "no stack trace: " + unreachable.stderr);
    assertEquals("", unreachable.stdout);
  }

  // ---- helpers ----

  private record Run(int exit, String stdout, String stderr) {}

  private String expectedSquares(int n) {
    return codec.asString(LongStream.range(0, n).map(i -> i * i).boxed().toList());
  }

  private List<Process> startConsumers(SpoolTestEnv env, int n) throws Exception {
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ProcessBuilder pb = java(env, System.getProperty("spool.consumer.jar"), "--concurrency", "4");
      ps.add(start(pb, "consumer-" + i));
    }
    env.topology().declareWorkQueue(env.connection().createChannel(), "tasks");
    String queue = env.workQueue("tasks");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> allAlive(ps) && consumerCount(env, queue) == n);
    return ps;
  }

  /** Fails at once, with its log, when a consumer process died instead of attaching. */
  private boolean allAlive(List<Process> ps) throws IOException {
    for (int i = 0; i < ps.size(); i++) {
      if (!ps.get(i).isAlive()) {
        throw new AssertionError(
            "consumer-"
                + i
                + " exited "
                + ps.get(i).exitValue()
                + ":\n"
                + Files.readString(logs.resolve("consumer-" + i + ".err")));
      }
    }
    return true;
  }

  private static long consumerCount(SpoolTestEnv env, String queue) throws Exception {
    try (var ch = env.connection().createChannel()) {
      return ch.queueDeclarePassive(queue).getConsumerCount();
    }
  }

  private void assertAllExitZero(List<Process> consumers) throws InterruptedException {
    for (Process p : consumers) {
      assertTrue(
          p.waitFor(EXIT_BOUND.toSeconds(), TimeUnit.SECONDS), "consumer " + p.pid() + " exited");
      assertEquals(0, p.exitValue(), "consumer " + p.pid() + " exit code");
    }
  }

  private ProcessBuilder producer(SpoolTestEnv env, String... args) {
    return java(env, System.getProperty("spool.producer.jar"), args);
  }

  private Run runProducer(SpoolTestEnv env, String... args) throws Exception {
    return run(producer(env, args), "producer-" + args[0]);
  }

  private Run run(ProcessBuilder pb, String name) throws Exception {
    Process p = start(pb, name);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), name + " finished");
    return new Run(p.exitValue(), read(name + ".out"), read(name + ".err"));
  }

  private static ProcessBuilder java(SpoolTestEnv env, String jar, String... args) {
    assertTrue(jar != null && new File(jar).isFile(), "built jar missing: " + jar);
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-jar");
    cmd.add(jar);
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPOOL_AMQP_URI", env.config().amqpUri().toString());
    pb.environment().put("SPOOL_REDIS_URI", env.config().redisUri().toString());
    pb.environment().put("SPOOL_NAMESPACE", env.namespace());
    return pb;
  }

  private Process start(ProcessBuilder pb, String name) throws IOException {
    pb.redirectOutput(logs.resolve(name + ".out").toFile());
    pb.redirectError(logs.resolve(name + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  private String read(String file) throws IOException {
    return Files.readString(logs.resolve(file), StandardCharsets.UTF_8);
  }

  private static Path logDir(TestInfo info) throws IOException {
    Path dir =
        Path.of(System.getProperty("spool.e2e.logs", "target/e2e-logs"))
            .resolve(info.getTestMethod().orElseThrow().getName());
    Files.createDirectories(dir);
    return dir;
  }
}
