package dev.spool.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * CPU seconds spent by the consumers, this producer and (when it runs on this machine) the RabbitMQ
 * node while something ran, from /proc: where the cores went, per 1,000 tasks.
 */
final class CpuUse {
  private static final double TICKS = 100.0; // USER_HZ on Linux
  private final List<ConsumerProcess> consumers;
  private final Optional<Long> broker;
  private final double consumers0;
  private final double producer0;
  private final double broker0;

  private CpuUse(List<ConsumerProcess> consumers) {
    this.consumers = consumers;
    this.broker =
        ProcessHandle.allProcesses()
            .filter(p -> p.info().command().orElse("").endsWith("beam.smp"))
            .map(ProcessHandle::pid)
            .findFirst();
    this.consumers0 = consumersNow();
    this.producer0 = seconds(ProcessHandle.current().pid());
    this.broker0 = broker.map(CpuUse::seconds).orElse(Double.NaN);
  }

  static CpuUse start(List<ConsumerProcess> consumers) {
    return new CpuUse(consumers);
  }

  String perThousand(int tasks) {
    double k = tasks / 1000.0;
    return String.format(
        Locale.ROOT,
        "CPU s per 1,000 tasks: consumers %.3f, producer %.3f, broker %.3f",
        (consumersNow() - consumers0) / k,
        (seconds(ProcessHandle.current().pid()) - producer0) / k,
        (broker.map(CpuUse::seconds).orElse(Double.NaN) - broker0) / k);
  }

  /** The consumers' CPU seconds (user and system) per 1,000 tasks since {@link #start}. */
  double consumerSecondsPerThousand(int tasks) {
    return (consumersNow() - consumers0) / (tasks / 1000.0);
  }

  private double consumersNow() {
    return consumers.stream().mapToDouble(c -> seconds(c.process.pid())).sum();
  }

  /** utime + stime of {@code pid}, in seconds; NaN when it cannot be read. */
  static double seconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }
}
