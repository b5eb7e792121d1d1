package dev.spool.state;

import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;

/** Builds a SharedState on the test's services and namespace. */
final class StateFixture {
  private StateFixture() {}

  static SharedStateConfig.Builder config(SpoolTestEnv env) {
    return SharedStateConfig.builder()
        .redisUri(env.config().redisUri().toString())
        .namespace(env.namespace());
  }

  static SharedState state(SpoolTestEnv env) {
    return SharedState.connect(config(env).build());
  }

  static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }
}
