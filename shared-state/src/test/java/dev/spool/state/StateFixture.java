package dev.spool.state;

import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;

/** Builds a SharedState on the test's services and namespace. */
final class StateFixture {
  private StateFixture() {}

  static SharedStateConfig.Builder config(StateTestEnv env) {
    return SharedStateConfig.builder()
        .redisUri(env.redisUri().toString())
        .namespace(env.namespace());
  }

  static SharedState state(StateTestEnv env) {
    return SharedState.connect(config(env).build());
  }

  static Duration ms(long ms) {
    return Duration.ofMillis(ms);
  }

  /** The redis-server binary on the PATH, for tests that run Redis processes of their own. */
  static String redisServer() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      java.io.File f = new java.io.File(dir, "redis-server");
      if (f.canExecute()) return f.getPath();
    }
    throw new AssertionError(
        "this test runs Redis processes of its own with redis-server, which is not on the PATH"
            + " (Debian: apt-get install redis-server)");
  }
}
