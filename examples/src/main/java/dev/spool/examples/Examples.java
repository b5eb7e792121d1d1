package dev.spool.examples;

import dev.spool.SharedState;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.SpoolProcess;
import java.util.List;

/** What every example needs: the configuration from the environment, processes, shared state. */
final class Examples {
  private Examples() {}

  /** SPOOL_AMQP_URI, SPOOL_REDIS_URI, SPOOL_NAMESPACE (defaults: localhost, spool). */
  static SpoolConfig config() {
    return SpoolConfig.fromEnvironment(System.getenv());
  }

  static SharedState state() {
    return config().stateConfig().connect();
  }

  /** Joins every process; throws when one did not exit 0. */
  static void joinAll(List<SpoolProcess> processes) {
    for (SpoolProcess p : processes) {
      int code = p.join(java.time.Duration.ofMinutes(2));
      if (code != 0) throw new IllegalStateException(p + " exited " + code);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static void say(String format, Object... args) {
    System.out.println(String.format(java.util.Locale.ROOT, format, args));
    System.out.flush();
  }
}
