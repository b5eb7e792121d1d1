package dev.spool.state.internal;

import dev.spool.Durations;
import dev.spool.LockLease;
import dev.spool.LockLostException;
import dev.spool.SharedStateException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A lease on one lock, with its hold-time warning and optional watchdog. Thread-safe. */
final class DefaultLease implements LockLease {
  private static final Logger log = LoggerFactory.getLogger(DefaultLease.class);

  private final LockEngine engine;
  private final String name;
  private final String key;
  private final String value;
  private final long fence;
  private final Instant acquiredAt;
  private final long acquiredNanos = System.nanoTime();
  private final Thread owner;
  private volatile Duration leaseTime;
  private volatile boolean lost;
  private volatile boolean closed;
  private volatile ScheduledFuture<?> warning;
  private volatile ScheduledFuture<?> renewal;

  DefaultLease(
      LockEngine engine,
      String name,
      String key,
      String value,
      long fence,
      Instant acquiredAt,
      Duration leaseTime,
      Thread owner) {
    this.engine = engine;
    this.name = name;
    this.key = key;
    this.value = value;
    this.fence = fence;
    this.acquiredAt = acquiredAt;
    this.leaseTime = leaseTime;
    this.owner = owner;
  }

  static DefaultLease of(LockLease lease) {
    if (lease instanceof DefaultLease d) return d;
    throw new IllegalArgumentException("not a lease from SharedState: " + lease);
  }

  String key() {
    return key;
  }

  String value() {
    return value;
  }

  Thread owner() {
    return owner;
  }

  void markLost() {
    if (!lost) {
      lost = true;
      engine.metrics.lost(name);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long fencingToken() {
    return fence;
  }

  @Override
  public String holder() {
    return LockEngine.holderOf(value);
  }

  @Override
  public Instant acquiredAt() {
    return acquiredAt;
  }

  @Override
  public Duration leaseTime() {
    return leaseTime;
  }

  @Override
  public boolean isHeld() {
    if (lost || closed) return false;
    return value.equals(
        engine.redis.call("lock.check", "checking lock '" + name + "'", j -> j.get(key)));
  }

  @Override
  public void extend(Duration lease) {
    Durations.requirePositive("lease", lease);
    if (!renew(lease)) {
      throw new LockLostException(
          "cannot extend lock '" + name + "' (fencing token " + fence + "): the lease was lost");
    }
    leaseTime = lease;
  }

  private boolean renew(Duration lease) {
    Object r =
        engine.redis.call(
            "lock.extend",
            "extending lock '" + name + "'",
            j ->
                Scripts.EXTEND.run(
                    j, List.of(key), List.of(value, Long.toString(lease.toMillis()))));
    if (Long.valueOf(1).equals(r)) return true;
    markLost();
    return false;
  }

  void scheduleHoldWarning(Duration after) {
    warning =
        engine.timer.schedule(
            () ->
                log.warn(
                    "lock '{}' held by {} for more than {}: long holds make others wait; keep"
                        + " critical sections short",
                    name,
                    holder(),
                    after),
            after.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  void startWatchdog() {
    long every = Math.max(1, leaseTime.toMillis() / 3);
    renewal =
        engine.timer.scheduleAtFixedRate(this::watchdogTick, every, every, TimeUnit.MILLISECONDS);
  }

  private void watchdogTick() {
    if (closed || lost) return;
    try {
      if (!renew(leaseTime)) {
        log.warn("watchdog could not renew lock '{}' held by {}: lease lost", name, holder());
        renewal.cancel(false);
      }
    } catch (SharedStateException e) {
      log.warn("watchdog renewal of lock '{}' failed ({}); retrying", name, e.getMessage());
    }
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    if (warning != null) warning.cancel(false);
    if (renewal != null) renewal.cancel(false);
    engine.forget(this);
    engine.metrics.released(name, System.nanoTime() - acquiredNanos);
    Object r =
        engine.redis.call(
            "lock.release",
            "releasing lock '" + name + "'",
            j -> Scripts.RELEASE.run(j, List.of(key), List.of(value, engine.channel(), name)));
    if (!Long.valueOf(1).equals(r)) {
      markLost();
      throw new LockLostException(
          "lock '"
              + name
              + "' (fencing token "
              + fence
              + ") had expired before it was released: held "
              + Duration.ofNanos(System.nanoTime() - acquiredNanos).toMillis()
              + " ms with a lease of "
              + leaseTime.toMillis()
              + " ms; another holder may have taken it, and its lock was left alone");
    }
  }

  @Override
  public String toString() {
    return "LockLease[" + name + ", token " + fence + ", " + holder() + "]";
  }
}
