package dev.spool.state.internal;

import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;

/** Builds a RedisState on the test's services and namespace. */
final class StateFixture {
  private StateFixture() {}

  static SharedStateConfig.Builder config(StateTestEnv env) {
    return SharedStateConfig.builder()
        .redisUri(env.redisUri().toString())
        .namespace(env.namespace());
  }

  static RedisState state(StateTestEnv env) {
    return RedisState.connect(config(env).build());
  }

  static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }
}
