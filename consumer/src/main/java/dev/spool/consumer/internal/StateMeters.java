package dev.spool.consumer.internal;

import dev.spool.core.metrics.SpoolMeters;
import dev.spool.state.StateListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Shared-state events as Micrometer meters: {@code spool_state_op_seconds{op,outcome}}, {@code
 * spool_lock_wait_seconds{lock,outcome}}, {@code spool_lock_hold_seconds{lock}} and {@code
 * spool_lock_lost_total{lock}}. Lock names become tags: keep them to a bounded set (a lock per
 * account is a series per account). Thread-safe.
 */
public final class StateMeters implements StateListener {
  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Map<String, Counter> lost = new ConcurrentHashMap<>();

  public StateMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void operation(String op, long nanos, boolean failed) {
    String outcome = failed ? "error" : "ok";
    timer(
            "op/" + op + "/" + outcome,
            "spool.state.op",
            "Redis round trips of shared state and locks",
            "op",
            op,
            "outcome",
            outcome)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockAcquired(String lock, long waitNanos) {
    wait(lock, "acquired").record(waitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockTimedOut(String lock, long waitNanos) {
    wait(lock, "timeout").record(waitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockReleased(String lock, long holdNanos) {
    timer("hold/" + lock, "spool.lock.hold", "How long locks were held", "lock", lock)
        .record(holdNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockLost(String lock) {
    lost.computeIfAbsent(
            lock,
            l ->
                Counter.builder("spool.lock.lost")
                    .description("Leases found expired or taken over while still in use")
                    .tag("lock", l)
                    .register(registry))
        .increment();
  }

  private Timer wait(String lock, String outcome) {
    return timer(
        "wait/" + lock + "/" + outcome,
        "spool.lock.wait",
        "Time spent waiting for locks, granted or timed out",
        "lock",
        lock,
        "outcome",
        outcome);
  }

  private Timer timer(String key, String name, String description, String... tags) {
    return timers.computeIfAbsent(
        key, k -> SpoolMeters.timer(name).description(description).tags(tags).register(registry));
  }
}
