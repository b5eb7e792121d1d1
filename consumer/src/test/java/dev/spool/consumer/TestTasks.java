package dev.spool.consumer;

import dev.spool.state.StateConnectionException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A user-style provider found through ServiceLoader in tests, as a user's jar would be, plus tasks
 * that misbehave on purpose for the failure-handling tests (in-process consumers only: they share
 * static state with the test).
 */
public final class TestTasks implements TaskHandlerProvider {
  /** Released by a test to let every {@code stubborn} task end. */
  static volatile CountDownLatch stubbornRelease = new CountDownLatch(1);

  /** Runs of {@code count}, across the JVM. */
  static final AtomicInteger counted = new AtomicInteger();

  /** Failures left per task id for {@code redis-flaky}. */
  static final Map<String, AtomicInteger> outagesLeft = new ConcurrentHashMap<>();

  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register(
        "test-echo", String.class, (String s, TaskContext c) -> s + "@" + c.attempt());
    registry.register(
        "stubborn",
        String.class,
        (String s, TaskContext c) -> {
          // Ignores interrupts, as a handler stuck in non-interruptible I/O would.
          while (true) {
            try {
              stubbornRelease.await();
              return s;
            } catch (InterruptedException ignored) {
              // keep waiting
            }
          }
        });
    registry.register(
        "throws-error",
        String.class,
        (String s, TaskContext c) -> {
          throw new AssertionError("an Error, not an Exception: " + s);
        });
    registry.register(
        "count", String.class, (String s, TaskContext c) -> counted.incrementAndGet());
    registry.register(
        "redis-flaky",
        Integer.class,
        (Integer outages, TaskContext c) -> {
          AtomicInteger left =
              outagesLeft.computeIfAbsent(c.taskId(), k -> new AtomicInteger(outages));
          if (left.getAndDecrement() > 0) {
            throw new StateConnectionException("Redis is down (simulated)", null);
          }
          return c.attempt();
        });
  }
}
