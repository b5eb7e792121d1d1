package dev.spool.producer.cli;

import dev.spool.core.SpoolConfig;
import dev.spool.state.SharedState;
import dev.spool.state.SharedStateConfig;
import picocli.CommandLine.Option;

/** {@code --queue NAME}: which work queue a command works on. */
final class QueueOption {
  @Option(
      names = "--queue",
      paramLabel = "NAME",
      defaultValue = "tasks",
      description = "Work queue (default ${DEFAULT-VALUE}).")
  String queue;

  /** Shared state on {@code config}'s Redis and namespace; the caller closes it. */
  static SharedState sharedState(SpoolConfig config) {
    return SharedState.connect(
        SharedStateConfig.builder()
            .redisUri(config.redisUri().toString())
            .namespace(config.namespace())
            .build());
  }
}
