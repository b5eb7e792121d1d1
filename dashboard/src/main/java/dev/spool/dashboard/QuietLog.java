package dev.spool.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Log lines that a client can cause at will (a login, a failed login) written at most once per
 * {@code every} for each kind and client, with how many were left out since: ten thousand logins in
 * ten seconds write two lines, not ten thousand. Thread-safe.
 */
final class QuietLog {
  private static final int MAX_KEYS = 10_000;

  private final Clock clock;
  private final Duration every;
  private final Map<String, Seen> seen = new LinkedHashMap<>(); // guarded by this

  private static final class Seen {
    Instant last;
    long suppressed;
  }

  QuietLog(Clock clock, Duration every) {
    this.clock = clock;
    this.every = every;
  }

  /** Logs {@code format} at INFO, unless a line of {@code key} was logged within the period. */
  void info(Logger log, String key, String format, Object... args) {
    long left;
    synchronized (this) {
      Instant now = clock.instant();
      Seen s = seen.get(key);
      if (s != null && Duration.between(s.last, now).compareTo(every) < 0) {
        s.suppressed++;
        return;
      }
      if (s == null) {
        if (seen.size() >= MAX_KEYS) seen.remove(seen.keySet().iterator().next());
        s = new Seen();
        seen.put(key, s);
      }
      s.last = now;
      left = s.suppressed;
      s.suppressed = 0;
    }
    if (left > 0) {
      Object[] more = java.util.Arrays.copyOf(args, args.length + 1);
      more[args.length] = left;
      log.info(format + " ({} more like it in the last minute not logged)", more);
    } else {
      log.info(format, args);
    }
  }

  /** Lines logged or counted for {@code key} are tracked (for tests). */
  synchronized long suppressed(String key) {
    Seen s = seen.get(key);
    return s == null ? 0 : s.suppressed;
  }
}
