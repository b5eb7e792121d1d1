package dev.spool.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.Durations;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class DurationsTest {
  @Test
  void parsePositive_shortForms_parse() {
    assertEquals(Duration.ofMillis(500), Durations.parsePositive("--t", "500ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parsePositive("--t", "30s"));
    assertEquals(Duration.ofMinutes(2), Durations.parsePositive("--t", "2m"));
    assertEquals(Duration.ofHours(1), Durations.parsePositive("--t", "1h"));
    assertEquals(Duration.ofSeconds(90), Durations.parsePositive("--t", "PT1M30S"));
  }

  @Test
  void parsePositive_zeroOrGarbage_namesTheSetting() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("--t", "0s"));
    assertTrue(zero.getMessage().startsWith("--t: '0s'"), zero.getMessage());
    IllegalArgumentException junk =
        assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive("--t", "soon"));
    assertTrue(junk.getMessage().contains("not a duration"), junk.getMessage());
  }

  @Test
  void format_writesTheLargestWholeUnit_andReadsBack() {
    assertEquals("1d", Durations.format(Duration.ofDays(1)));
    assertEquals("90m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("2h", Durations.format(Duration.ofHours(2)));
    assertEquals("45s", Durations.format(Duration.ofSeconds(45)));
    assertEquals("1500ms", Durations.format(Duration.ofMillis(1500)));
    for (Duration d :
        new Duration[] {Duration.ofMillis(1), Duration.ofSeconds(61), Duration.ofDays(366)}) {
      assertEquals(d, Durations.parsePositive(Durations.format(d)));
    }
  }
}
