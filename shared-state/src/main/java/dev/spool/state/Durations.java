package dev.spool.state;

import java.time.Duration;

/** Argument checks for durations. */
final class Durations {
  private Durations() {}

  static Duration requirePositive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
    return d;
  }
}
