package dev.spool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A consumer process started as users start one ({@code bin/spool-consumer}, with its default JVM
 * options), with its log in a file.
 */
final class ConsumerProcess implements AutoCloseable {
  final Process process;
  final long startedNanos;
  final Path log;

  private ConsumerProcess(Process process, long startedNanos, Path log) {
    this.process = process;
    this.startedNanos = startedNanos;
    this.log = log;
  }

  static ConsumerProcess start(
      String launcher, List<String> extra, Map<String, String> env, Path log, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher));
    cmd.addAll(List.of(args));
    cmd.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    return new ConsumerProcess(pb.start(), t0, log);
  }

  /** Resident memory now, from /proc (Linux), of the JVM the launcher exec'd. */
  long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS for pid " + process.pid());
  }

  /**
   * Fails when this process has ended: a consumer that exits before it takes tasks (a failed build,
   * a bad option) would otherwise leave its caller waiting for it for ever.
   */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "a consumer process ended (exit " + process.exitValue() + "); see " + log);
    }
  }

  boolean awaitExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
