package dev.spool.producer.cli;

import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPoolConfig;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every producer command takes: where, which queue, how long to wait. */
final class PoolOptions {
  @Mixin ConnectionOptions connection = new ConnectionOptions();

  @Mixin QueueOption queue = new QueueOption();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10m",
      description = "Longest wait for all results, e.g. 30s, 5m (default ${DEFAULT-VALUE}).")
  Duration timeout;

  SpoolConfig config() {
    return connection.toConfig(System.getenv());
  }

  Duration timeout() {
    return timeout;
  }

  /** The command's connections: a pool made from it ({@link #settings()}) is closed with it. */
  Spool connect() {
    return Spool.connect(config());
  }

  /** The pool the command asks for: its queue and how long it waits. */
  TaskPoolConfig settings() {
    return TaskPoolConfig.builder().queue(queue.queue).defaultTimeout(timeout()).build();
  }
}
