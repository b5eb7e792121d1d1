package dev.spool.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class RateLimitTest {
  @Test
  void parse_unitsAndDurations() {
    assertEquals(new RateLimit(10, Duration.ofSeconds(1)), RateLimit.parse("10/s"));
    assertEquals(new RateLimit(100, Duration.ofMinutes(1)), RateLimit.parse(" 100 / m "));
    assertEquals(new RateLimit(5, Duration.ofHours(1)), RateLimit.parse("5/h"));
    assertEquals(new RateLimit(1, Duration.ofDays(1)), RateLimit.parse("1/d"));
    assertEquals(new RateLimit(20, Duration.ofSeconds(10)), RateLimit.parse("20/10s"));
    assertEquals(new RateLimit(3, Duration.ofMillis(500)), RateLimit.parse("3/500ms"));
    assertEquals(Duration.ofMillis(100), RateLimit.parse("10/s").spacing());
  }

  @Test
  void parse_badInput_saysWhatIsExpected() {
    for (String bad : new String[] {"", "10", "ten/s", "10/x", "10/-1s", "0/s", "1/0s", "10/s/2"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> RateLimit.parse(bad), bad);
      assertTrue(e.getMessage().contains("rate limit"), e.getMessage());
    }
  }
}
