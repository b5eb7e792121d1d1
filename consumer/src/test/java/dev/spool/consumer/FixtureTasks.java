package dev.spool.consumer;

import dev.spool.HandlerRegistry;
import dev.spool.StateConnectionException;
import dev.spool.TaskContext;
import dev.spool.TaskHandlerProvider;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test tasks with state, one set per {@link ConsumerFixture} (so per test): no state is shared
 * between tests through statics.
 */
final class FixtureTasks implements TaskHandlerProvider {
  /** Released by the test to let every {@code stubborn} task end. */
  final CountDownLatch stubbornRelease = new CountDownLatch(1);

  /** Runs of {@code count}. */
  final AtomicInteger counted = new AtomicInteger();

  /** Failures left per task id for {@code redis-flaky}. */
  final Map<String, AtomicInteger> outagesLeft = new ConcurrentHashMap<>();

  @Override
  public void registerTasks(HandlerRegistry registry) {
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
