package dev.spool.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.AmqpConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Celery 5 on the same broker, for the comparisons of {@code --only celery}: worker processes
 * ({@code --pool threads}) and one driver process that answers {@code map N} and {@code apply N} on
 * its stdin ({@code benchmark/celery/spool_celery_bench.py}). Celery runs with its defaults: a
 * durable classic queue, persistent messages, no publisher confirms, acks on receipt, results over
 * {@code rpc://}. Needs a Python with Celery 5 (Debian: {@code apt-get install python3-celery}).
 */
final class CeleryRun implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Process> workers;
  private final Process driver;
  private final BufferedReader answers;
  private final Writer commands;
  private final SpoolConfig config;
  private final String queue;

  private CeleryRun(List<Process> workers, Process driver, SpoolConfig config, String queue) {
    this.workers = workers;
    this.driver = driver;
    this.config = config;
    this.queue = queue;
    this.answers =
        new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8));
    this.commands = new OutputStreamWriter(driver.getOutputStream(), StandardCharsets.UTF_8);
  }

  /** The Python to run Celery with: {@code SPOOL_BENCH_PYTHON}, else Debian's, else python3. */
  static String python() {
    String set = System.getenv("SPOOL_BENCH_PYTHON");
    if (set != null && !set.isBlank()) return set;
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** Starts {@code workers} worker processes at {@code --concurrency threads} and the driver. */
  static CeleryRun start(
      Path script, SpoolConfig config, String queue, int workers, int threads, Path logs)
      throws IOException, InterruptedException {
    String python = python();
    Process check =
        new ProcessBuilder(python, "-c", "import celery, sys; sys.exit(celery.VERSION[0] < 5)")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!check.waitFor(60, TimeUnit.SECONDS) || check.exitValue() != 0) {
      throw new IllegalStateException(
          python
              + " has no Celery 5: install it (Debian: apt-get install python3-celery) or set"
              + " SPOOL_BENCH_PYTHON to a Python that has it");
    }
    Path dir = script.toAbsolutePath().getParent();
    String module = script.getFileName().toString().replaceFirst("\\.py$", "");
    Map<String, String> env =
        Map.of("SPOOL_AMQP_URI", config.amqpUri().toString(), "CELERY_BENCH_QUEUE", queue);
    List<Process> started = new ArrayList<>();
    for (int i = 0; i < workers; i++) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  python,
                  "-m",
                  "celery",
                  "-A",
                  module,
                  "worker",
                  "--pool",
                  "threads",
                  "--concurrency",
                  Integer.toString(threads),
                  "--hostname",
                  "spool-bench-" + i + "@%h",
                  "--without-gossip",
                  "--without-mingle",
                  "--without-heartbeat",
                  "--loglevel",
                  "warning")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(logs.resolve("celery-worker-" + i + ".log").toFile());
      pb.environment().putAll(env);
      started.add(pb.start());
    }
    ProcessBuilder pb =
        new ProcessBuilder(python, script.getFileName().toString())
            .directory(dir.toFile())
            .redirectError(logs.resolve("celery-driver.log").toFile());
    pb.environment().putAll(env);
    CeleryRun run = new CeleryRun(started, pb.start(), config, queue);
    run.answer(); // {"ready": true}
    return run;
  }

  /** Seconds for a group of {@code n} square tasks, from the first publish to the last result. */
  double mapSeconds(int n) throws IOException {
    return ask("map " + n).get("seconds").asDouble();
  }

  /** {@code n} sequential {@code square.delay(3).get()} round trips, in nanoseconds. */
  long[] apply(int n) throws IOException {
    JsonNode nanos = ask("apply " + n).get("nanos");
    long[] out = new long[nanos.size()];
    for (int i = 0; i < out.length; i++) out[i] = nanos.get(i).asLong();
    return out;
  }

  private JsonNode ask(String command) throws IOException {
    for (int i = 0; i < workers.size(); i++) {
      if (!workers.get(i).isAlive()) { // else a map would wait for its results for 30 minutes
        throw new IllegalStateException(
            "Celery worker "
                + i
                + " exited "
                + workers.get(i).exitValue()
                + "; see celery-worker-"
                + i
                + ".log");
      }
    }
    commands.write(command + "\n");
    commands.flush();
    return answer();
  }

  private JsonNode answer() throws IOException {
    String line = answers.readLine();
    if (line == null) {
      throw new IllegalStateException(
          "the Celery driver ended (exit " + exitOf(driver) + "); see celery-driver.log");
    }
    JsonNode node = JSON.readTree(line);
    if (node.has("error")) throw new IllegalStateException("Celery driver: " + node.get("error"));
    return node;
  }

  private static String exitOf(Process p) {
    try {
      return p.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "still running";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Stops the processes and deletes what Celery declared: its queue and its exchange. */
  @Override
  public void close() throws Exception {
    try {
      commands.write("quit\n");
      commands.flush();
    } catch (IOException ignored) {
      // the driver is gone already
    }
    driver.waitFor(10, TimeUnit.SECONDS);
    driver.destroyForcibly();
    for (Process w : workers) w.destroy(); // SIGTERM: Celery's warm shutdown
    for (Process w : workers) {
      if (!w.waitFor(30, TimeUnit.SECONDS)) w.destroyForcibly();
    }
    try (var c = new AmqpConnector(config).open("spool-bench celery cleanup");
        var ch = c.createChannel()) {
      ch.queueDelete(queue);
      ch.exchangeDelete(queue);
    }
  }
}
