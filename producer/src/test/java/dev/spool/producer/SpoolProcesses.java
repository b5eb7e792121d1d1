package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolTestEnv;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.TestInfo;

/**
 * Consumer and producer OS processes for one end-to-end test, started from the built jars with the
 * test's services and namespace; their output goes to {@code target/e2e-logs/<test>/}. Closing
 * kills whatever is still running (resuming stopped ones first).
 */
final class SpoolProcesses implements AutoCloseable {
  /** A finished process: exit code and what it printed. */
  record Run(int exit, String stdout, String stderr) {}

  private final SpoolTestEnv env;
  private final Path logs;
  private final List<Process> started = new ArrayList<>();

  private SpoolProcesses(SpoolTestEnv env, Path logs) {
    this.env = env;
    this.logs = logs;
  }

  static SpoolProcesses forTest(SpoolTestEnv env, TestInfo info) throws IOException {
    Path dir =
        Path.of(System.getProperty("spool.e2e.logs", "target/e2e-logs"))
            .resolve(info.getTestMethod().orElseThrow().getName());
    Files.createDirectories(dir);
    return new SpoolProcesses(env, dir);
  }

  /**
   * Starts {@code n} consumers and waits until all are attached to the work queue. With {@code
   * testTasks} the test classes join the classpath (as a user's jar of tasks would), so {@link
   * ChaosTasks} are available; otherwise the jar runs alone with {@code java -jar}.
   */
  List<Process> startConsumers(int n, boolean testTasks, String... extraArgs) throws Exception {
    return startConsumers(n, testTasks, Map.of(), extraArgs);
  }

  /** As {@link #startConsumers(int, boolean, String...)}, with {@code environment} added. */
  List<Process> startConsumers(
      int n, boolean testTasks, Map<String, String> environment, String... extraArgs)
      throws Exception {
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ps.add(startConsumer("consumer-" + i, testTasks, environment, extraArgs));
    }
    env.topology().declareWorkQueue(env.connection().createChannel(), "tasks");
    String queue = env.workQueue("tasks");
    await().atMost(Duration.ofSeconds(60)).until(() -> allAlive(ps) && consumers(queue) == n);
    // Each says so, with how long its start took (the image's start figure is read from it).
    for (int i = 0; i < n; i++) {
      String name = "consumer-" + i;
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  (read(name + ".out") + read(name + ".err"))
                      .matches(
                          "(?s).*ready: taking tasks from \\S+ \\(\\d+ task\\(s\\) registered\\),"
                              + " \\d+ ms after the JVM started.*"));
    }
    return ps;
  }

  /** Starts one consumer named {@code name} (its log files) without waiting for it to attach. */
  Process startConsumer(
      String name, boolean testTasks, Map<String, String> environment, String... extraArgs)
      throws IOException {
    String jar = builtJar("spool.consumer.jar");
    List<String> cmd =
        testTasks
            ? List.of(
                "-cp",
                // The producer's classes too: a task may submit tasks of its own (ChaosTasks.nest).
                String.join(
                    File.pathSeparator,
                    jar,
                    System.getProperty("spool.test.classes"),
                    System.getProperty("spool.main.classes")),
                "dev.spool.consumer.cli.ConsumerMain")
            : List.of("-jar", jar);
    List<String> args = new ArrayList<>(cmd);
    if (!List.of(extraArgs).contains("--concurrency")) args.addAll(List.of("--concurrency", "4"));
    args.addAll(List.of(extraArgs));
    ProcessBuilder pb = java(args);
    pb.environment().putAll(environment);
    return start(pb, name);
  }

  ProcessBuilder producer(String... args) {
    List<String> cmd = new ArrayList<>(List.of("-jar", builtJar("spool.producer.jar")));
    cmd.addAll(List.of(args));
    return java(cmd);
  }

  /** A consumer process from the built jar alone, not yet started. */
  ProcessBuilder consumer(String... args) {
    List<String> cmd = new ArrayList<>(List.of("-jar", builtJar("spool.consumer.jar")));
    cmd.addAll(List.of(args));
    return java(cmd);
  }

  Run runProducer(String... args) throws Exception {
    return run(producer(args), "producer-" + args[0]);
  }

  Run run(ProcessBuilder pb, String name) throws Exception {
    Process p = start(pb, name);
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), name + " finished");
    return new Run(p.exitValue(), read(name + ".out"), read(name + ".err"));
  }

  Process start(ProcessBuilder pb, String name) throws IOException {
    pb.redirectOutput(logs.resolve(name + ".out").toFile());
    pb.redirectError(logs.resolve(name + ".err").toFile());
    Process p = pb.start();
    started.add(p);
    return p;
  }

  String read(String file) throws IOException {
    return Files.readString(logs.resolve(file), StandardCharsets.UTF_8);
  }

  /** A pool on the test's configuration whose calls wait up to {@code timeout} by default. */
  static TaskPool pool(SpoolTestEnv env, Duration timeout) {
    return TestSpools.pool(env.config(), TaskPoolConfig.builder().defaultTimeout(timeout).build());
  }

  /** Sends a signal by name ({@code STOP}, {@code CONT}) with kill(1). */
  static void signal(Process p, String sig) throws Exception {
    if (p.isAlive()) {
      new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
    }
  }

  private ProcessBuilder java(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPOOL_AMQP_URI", env.config().amqpUri().toString());
    pb.environment().put("SPOOL_REDIS_URI", env.config().redisUri().toString());
    pb.environment().put("SPOOL_NAMESPACE", env.namespace());
    return pb;
  }

  private static String builtJar(String property) {
    String jar = System.getProperty(property);
    assertTrue(jar != null && new File(jar).isFile(), "built jar missing: " + jar);
    return jar;
  }

  /** Fails at once, with its log, when a consumer died instead of attaching. */
  private boolean allAlive(List<Process> ps) throws IOException {
    for (int i = 0; i < ps.size(); i++) {
      if (!ps.get(i).isAlive()) {
        throw new AssertionError(
            "consumer-"
                + i
                + " exited "
                + ps.get(i).exitValue()
                + ":\n"
                + read("consumer-" + i + ".err"));
      }
    }
    return true;
  }

  private long consumers(String queue) throws Exception {
    try (var ch = env.connection().createChannel()) {
      return ch.queueDeclarePassive(queue).getConsumerCount();
    }
  }

  @Override
  public void close() throws Exception {
    for (Process p : started) {
      signal(p, "CONT");
      p.destroyForcibly();
    }
  }
}
