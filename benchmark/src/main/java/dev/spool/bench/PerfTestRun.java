package dev.spool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RabbitMQ PerfTest at the durability Spool uses: one producer and one consumer on one quorum
 * queue, persistent messages, publisher confirms with a window of 100, manual acks, prefetch 100.
 * Runs in its own JVM with its own dependency versions (bin/spool-bench resolves them).
 */
final class PerfTestRun {
  private static final Pattern RECEIVED = Pattern.compile("receiving rate avg: (\\d+) msg/s");
  private static final Pattern SENT = Pattern.compile("sending rate avg: (\\d+) msg/s");

  /** Sent and received messages per second. */
  record Rates(double sent, double received) {}

  static Rates run(
      String java, String classpath, String amqpUri, String queue, int seconds, Path log)
      throws IOException, InterruptedException {
    List<String> cmd =
        List.of(
            java,
            "-cp",
            classpath,
            "com.rabbitmq.perf.PerfTest",
            "--uri",
            amqpUri,
            "--producers",
            "1",
            "--consumers",
            "1",
            "--queue",
            queue,
            "--quorum-queue",
            "--flag",
            "persistent",
            "--confirm",
            "100",
            "--qos",
            "100",
            "--size",
            "16",
            "--auto-delete",
            "false",
            "--time",
            Integer.toString(seconds));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("PerfTest did not end; see " + log);
    }
    String out = Files.readString(log);
    Matcher r = RECEIVED.matcher(out);
    Matcher s = SENT.matcher(out);
    if (p.exitValue() != 0 || !r.find() || !s.find()) {
      throw new IllegalStateException("PerfTest failed (exit " + p.exitValue() + "); see " + log);
    }
    return new Rates(Double.parseDouble(s.group(1)), Double.parseDouble(r.group(1)));
  }

  private PerfTestRun() {}
}
