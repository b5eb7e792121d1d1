package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class ScheduleTest {
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  @Test
  void every_fallsOnMultiplesOfThePeriodSinceTheEpoch() {
    Schedule s = Schedule.every("hb", Duration.ofMinutes(5), "ping", null);
    assertEquals(
        Instant.parse("2026-12-01T10:05:00Z"), s.nextAfter(Instant.parse("2026-12-01T10:03:17Z")));
    assertEquals(
        Instant.parse("2026-12-01T10:10:00Z"),
        s.nextAfter(Instant.parse("2026-12-01T10:05:00Z")),
        "strictly after");
    assertEquals(
        Instant.parse("2026-12-01T10:05:00Z"),
        s.lastAtOrBefore(Instant.parse("2026-12-01T10:05:00Z")));
    assertEquals("every 5m", s.describe());
  }

  @Test
  void cron_readsFiveFields_inItsZone() {
    Schedule s = Schedule.cron("nightly", "0 2 * * *", "report", null).withZone(PARIS);
    // 02:00 in Paris in winter is 01:00Z.
    assertEquals(
        Instant.parse("2026-12-02T01:00:00Z"), s.nextAfter(Instant.parse("2026-12-01T10:00:00Z")));
    assertEquals(
        Instant.parse("2026-12-01T01:00:00Z"),
        s.lastAtOrBefore(Instant.parse("2026-12-01T10:00:00Z")));
    assertEquals(
        Instant.parse("2026-12-01T01:00:00Z"),
        s.lastAtOrBefore(Instant.parse("2026-12-01T01:00:00Z")),
        "at or before");
    assertEquals("cron '0 2 * * *' Europe/Paris", s.describe());
    Schedule utc = Schedule.cron("q", "*/15 * * * 1-5", "t", null);
    // 2026-12-05 is a Saturday: the next weekday quarter is Monday 00:00Z.
    assertEquals(
        Instant.parse("2026-12-07T00:00:00Z"),
        utc.nextAfter(Instant.parse("2026-12-05T12:01:00Z")));
  }

  @Test
  void cron_acrossDaylightSavingChanges_firesOncePerDay() {
    Schedule s = Schedule.cron("at230", "30 2 * * *", "t", null).withZone(PARIS);
    // 2026-03-29: clocks go from 02:00 to 03:00 in Paris, so 02:30 does not exist that day.
    Instant t = Instant.parse("2026-03-27T12:00:00Z");
    int fires = 0;
    Instant end = Instant.parse("2026-04-01T00:00:00Z");
    for (Instant n = s.nextAfter(t); n.isBefore(end); n = s.nextAfter(n)) fires++;
    assertEquals(3, fires, "28, 30 and 31 March: cron-utils skips the time that does not exist");
    // 2026-10-25: clocks go from 03:00 back to 02:00, so 02:30 happens twice: it fires once.
    t = Instant.parse("2026-10-24T12:00:00Z");
    end = Instant.parse("2026-10-26T12:00:00Z");
    fires = 0;
    for (Instant n = s.nextAfter(t); n.isBefore(end); n = s.nextAfter(n)) fires++;
    assertEquals(2, fires, "25 and 26 October, once each");
  }

  @Test
  void badDefinitions_sayWhatIsWrong() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Schedule.cron("x", "0 2 * *", "t", null));
    assertTrue(e.getMessage().contains("five fields"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Schedule.cron("x", "61 * * * *", "t", null));
    assertTrue(e.getMessage().contains("'61 * * * *'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Schedule.every("x", Duration.ofMillis(10), "t", null));
    assertTrue(e.getMessage().contains("not between 1s and 366d"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Schedule.every("no spaces", Duration.ofMinutes(1), "t", null));
    assertTrue(e.getMessage().contains("schedule name 'no spaces' is invalid"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Schedule.every("x", Duration.ofMinutes(1), " ", null));
    assertThrows(
        IllegalArgumentException.class,
        () -> Schedule.every("x", Duration.ofMinutes(1), "t", null).withQueue("bad queue!"));
  }

  @Test
  void storedForm_readsBackEqual() {
    Schedule s =
        Schedule.cron("nightly", "0 2 * * *", "report", Map.of("day", "yesterday"))
            .withZone(PARIS)
            .withQueue("reports")
            .withMissed(Schedule.Missed.SKIP)
            .withPaused(true);
    assertEquals(s, Schedule.fromJson("nightly", s.toJson()));
    Schedule e = Schedule.every("hb", Duration.ofSeconds(30), "ping", 7);
    assertEquals(e, Schedule.fromJson("hb", e.toJson()));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> Schedule.fromJson("z", "{oops"));
    assertTrue(bad.getMessage().startsWith("schedule 'z' in Redis is unreadable"));
  }
}
