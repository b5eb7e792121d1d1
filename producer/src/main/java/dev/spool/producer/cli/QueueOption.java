package dev.spool.producer.cli;

import picocli.CommandLine.Option;

/** {@code --queue NAME}: which work queue a command works on. */
final class QueueOption {
  @Option(
      names = "--queue",
      paramLabel = "NAME",
      defaultValue = "tasks",
      description = "Work queue (default ${DEFAULT-VALUE}).")
  String queue;
}
