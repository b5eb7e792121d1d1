package dev.spool.state.internal;

import dev.spool.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Hands out start slots at most {@code count} per {@code period}, evenly spaced, to every process
 * that asks: the store behind rate limits. {@link #reserve} books the next free slot and says how
 * long until it comes, so a caller never asks twice and never sleeps: it puts its work aside until
 * then. Slots are timed by the Redis server's clock in microseconds (one clock for every host).
 *
 * <p>Key: {@code <key>}, the time the next slot is free (a generic cell rate algorithm's
 * "theoretical arrival time"), expiring when it has passed. One Lua script, atomic. Thread-safe.
 */
public final class RateSchedule {
  private final Redis redis;
  private final String key;

  RateSchedule(Redis redis, String key) {
    this.redis = redis;
    this.key = key;
  }

  public String key() {
    return key;
  }

  /**
   * Books the next free slot for a rate of {@code count} per {@code period}; returns how long from
   * now (by Redis's clock) until it: zero when the caller may start at once.
   *
   * @throws IllegalArgumentException when count is below 1 or the period is not positive
   */
  public Duration reserve(int count, Duration period) {
    if (count < 1) throw new IllegalArgumentException("count must be >= 1, was " + count);
    Durations.requirePositive("period", period);
    Objects.requireNonNull(period, "period");
    long periodMicros = period.toNanos() / 1000;
    Object wait =
        redis.call(
            "rate.reserve",
            "reserve a slot of " + key,
            j ->
                Scripts.RATE_RESERVE.run(
                    j,
                    List.of(key),
                    List.of(Long.toString(periodMicros), Integer.toString(count))));
    return Duration.ofNanos((Long) wait * 1000);
  }

  /** Forgets every booking: the next caller starts at once. */
  public void clear() {
    redis.call("DEL " + key, j -> j.del(key));
  }
}
