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
  private final Map<String, Timer[]> locks = new ConcurrentHashMap<>();
  private final Map<String, Counter> lost = new ConcurrentHashMap<>();

  public StateMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** By operation: {ok, error}; on every Redis round trip, so no key is built per call. */
  private final Map<String, Timer[]> ops = new ConcurrentHashMap<>();

  @Override
  public void operation(String op, long nanos, boolean failed) {
    Timer[] pair =
        ops.computeIfAbsent(op, o -> new Timer[] {opTimer(o, "ok"), opTimer(o, "error")});
    pair[failed ? 1 : 0].record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer opTimer(String op, String outcome) {
    return SpoolMeters.timer("spool.state.op")
        .description("Redis round trips of shared state and locks")
        .tags("op", op, "outcome", outcome)
        .register(registry);
  }

  @Override
  public void lockAcquired(String lock, long waitNanos) {
    lockTimers(lock)[0].record(waitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockTimedOut(String lock, long waitNanos) {
    lockTimers(lock)[1].record(waitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lockReleased(String lock, long holdNanos) {
    lockTimers(lock)[2].record(holdNanos, TimeUnit.NANOSECONDS);
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

  /** By lock: {wait acquired, wait timed out, hold}. */
  private Timer[] lockTimers(String lock) {
    return locks.computeIfAbsent(
        lock,
        l ->
            new Timer[] {
              lockTimer("spool.lock.wait", "Time spent waiting for locks", l, "acquired"),
              lockTimer("spool.lock.wait", "Time spent waiting for locks", l, "timeout"),
              lockTimer("spool.lock.hold", "How long locks were held", l, null)
            });
  }

  private Timer lockTimer(String name, String description, String lock, String outcome) {
    Timer.Builder b = SpoolMeters.timer(name).description(description).tag("lock", lock);
    if (outcome != null) b.tag("outcome", outcome);
    return b.register(registry);
  }
}
