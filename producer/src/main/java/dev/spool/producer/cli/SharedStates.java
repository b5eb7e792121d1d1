package dev.spool.producer.cli;

import dev.spool.core.SpoolConfig;
import dev.spool.state.SharedState;
import dev.spool.state.SharedStateConfig;

/** Shared state for a command, on its configuration's Redis and namespace. */
final class SharedStates {
  private SharedStates() {}

  /** Connects lazily (see {@link SharedState#connect}); the caller closes it. */
  static SharedState open(SpoolConfig config) {
    return SharedState.connect(
        SharedStateConfig.builder()
            .redisUri(config.redisUri().toString())
            .namespace(config.namespace())
            .build());
  }
}
