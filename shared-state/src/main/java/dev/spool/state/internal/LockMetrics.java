package dev.spool.state.internal;

import dev.spool.state.LockStats;
import dev.spool.state.StateListener;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Per-lock counters behind {@link LockStats}. Thread-safe. */
final class LockMetrics {
  private static final class Counters {
    final LongAdder acquired = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder lost = new LongAdder();
    final LongAdder waitNanos = new LongAdder();
    final AtomicLong maxWaitNanos = new AtomicLong();
    final LongAdder holdNanos = new LongAdder();
    final AtomicLong maxHoldNanos = new AtomicLong();
  }

  private final Map<String, Counters> byName = new ConcurrentHashMap<>();
  private final LongAdder nestedWarnings = new LongAdder();
  private final AtomicLong waiting = new AtomicLong();
  private final StateListener listener;

  LockMetrics(StateListener listener) {
    this.listener = listener;
  }

  void waitStarted() {
    waiting.incrementAndGet();
  }

  void waitEnded() {
    waiting.decrementAndGet();
  }

  long waiting() {
    return waiting.get();
  }

  private Counters of(String name) {
    return byName.computeIfAbsent(name, n -> new Counters());
  }

  void acquired(String name, long waitNanos) {
    Counters c = of(name);
    c.acquired.increment();
    c.waitNanos.add(waitNanos);
    c.maxWaitNanos.accumulateAndGet(waitNanos, Math::max);
    listener.lockAcquired(name, waitNanos);
  }

  void timedOut(String name, long waitNanos) {
    of(name).timeouts.increment();
    listener.lockTimedOut(name, waitNanos);
  }

  void lost(String name) {
    of(name).lost.increment();
    listener.lockLost(name);
  }

  void released(String name, long holdNanos) {
    Counters c = of(name);
    c.holdNanos.add(holdNanos);
    c.maxHoldNanos.accumulateAndGet(holdNanos, Math::max);
    listener.lockReleased(name, holdNanos);
  }

  void nested() {
    nestedWarnings.increment();
  }

  long nestedWarnings() {
    return nestedWarnings.sum();
  }

  Map<String, LockStats> snapshot() {
    Map<String, LockStats> out = new TreeMap<>();
    byName.forEach(
        (n, c) ->
            out.put(
                n,
                new LockStats(
                    n,
                    c.acquired.sum(),
                    c.timeouts.sum(),
                    c.lost.sum(),
                    Duration.ofNanos(c.waitNanos.sum()),
                    Duration.ofNanos(c.maxWaitNanos.get()),
                    Duration.ofNanos(c.holdNanos.sum()),
                    Duration.ofNanos(c.maxHoldNanos.get()))));
    return out;
  }
}
