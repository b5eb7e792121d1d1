package dev.spool.consumer;

import dev.spool.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code count} task starts per {@code period}, evenly spaced, across every consumer of
 * every host (counted in Redis). Written {@code N/PERIOD}: {@code 10/s}, {@code 100/m}, {@code
 * 5/h}, {@code 1/d}, or with a duration, {@code 20/10s}, {@code 3/500ms}.
 *
 * @param count starts per period, at least 1
 * @param period the period, at least 1 ms
 */
public record RateLimit(int count, Duration period) {
  private static final Pattern TEXT = Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\S+)\\s*");

  public RateLimit {
    Objects.requireNonNull(period, "period");
    if (count < 1)
      throw new IllegalArgumentException("rate limit count must be >= 1, was " + count);
    if (period.toMillis() < 1) {
      throw new IllegalArgumentException("rate limit period must be at least 1ms, was " + period);
    }
  }

  /**
   * Parses {@code N/PERIOD}.
   *
   * @throws IllegalArgumentException saying what is wrong and what is expected
   */
  public static RateLimit parse(String text) {
    Matcher m = TEXT.matcher(Objects.requireNonNull(text, "text"));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "rate limit '" + text + "' is not N/PERIOD, e.g. 10/s, 100/m, 5/h, 20/10s");
    }
    String unit = m.group(2);
    Duration period =
        switch (unit) {
          case "s" -> Duration.ofSeconds(1);
          case "m" -> Duration.ofMinutes(1);
          case "h" -> Duration.ofHours(1);
          case "d" -> Duration.ofDays(1);
          default -> period(text, unit);
        };
    return new RateLimit(Integer.parseInt(m.group(1)), period);
  }

  private static Duration period(String text, String unit) {
    try {
      return Durations.parsePositive(unit);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "rate limit '" + text + "': period '" + unit + "' is not s, m, h, d or e.g. 10s, 500ms",
          e);
    }
  }

  /** The time between two starts. */
  public Duration spacing() {
    return period.dividedBy(count);
  }

  @Override
  public String toString() {
    return count + "/" + period;
  }
}
