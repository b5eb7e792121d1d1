package dev.spool;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them, read in one place for every setting, option and URI: {@code
 * 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d}, or ISO-8601 {@code PT30S}.
 */
public final class Durations {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming {@code setting} when the text is not a positive
   *     duration
   */
  public static Duration parsePositive(String setting, String text) {
    try {
      return parsePositive(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
    }
  }

  /**
   * @throws IllegalArgumentException saying what is wrong with {@code text}, when it is not a
   *     positive duration
   */
  public static Duration parsePositive(String text) {
    Duration d = parse(text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("'" + text + "' must be longer than zero");
    }
    return d;
  }

  /**
   * Checks an argument.
   *
   * @return {@code d}
   * @throws IllegalArgumentException naming {@code name}, when {@code d} is null, zero or negative
   */
  public static Duration requirePositive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
    return d;
  }

  /**
   * Writes {@code d} the way {@link #parsePositive} reads it, in the largest whole unit: {@code
   * 1d}, {@code 90m}, {@code 1500ms}.
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000 == 0) return ms / 86_400_000 + "d";
    if (ms != 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms != 0 && ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms != 0 && ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private static Duration parse(String text) {
    String t = text == null ? "" : text.trim();
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write e.g. 500ms, 30s, 2m, 1h, 7d", e);
    }
  }
}
