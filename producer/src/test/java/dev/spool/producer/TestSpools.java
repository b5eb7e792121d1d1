package dev.spool.producer;

import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.Session;
import dev.spool.testing.SpoolTestEnv;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** {@code Spool}s and pools for tests, on the test's services and namespace. */
final class TestSpools {
  private TestSpools() {}

  /** A new spool on {@code env}'s services, as a process of the test connects; closed after it. */
  static Spool connect(SpoolTestEnv env) {
    return env.closeAfter(Spool.connect(env.config()));
  }

  /**
   * A pool on a connection of its own, closed with the pool, as a producer process has: a test of
   * faults needs each pool's connection apart from the others'.
   */
  static TaskPool pool(SpoolConfig config) {
    return pool(config, TaskPoolConfig.defaults());
  }

  static TaskPool pool(SpoolConfig config, TaskPoolConfig settings) {
    return pool(config, settings, new SimpleMeterRegistry());
  }

  static TaskPool pool(SpoolConfig config, TaskPoolConfig settings, MeterRegistry meters) {
    Session session = Session.owning(config, ProcessIdentity.current("producer").connectionName());
    return TaskPool.create(session, config, settings, meters, null);
  }
}
