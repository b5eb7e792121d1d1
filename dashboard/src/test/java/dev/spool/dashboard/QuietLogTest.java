package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class QuietLogTest {
  @Test
  void tenThousandLoginsInTenSeconds_writeTwoLines() {
    Logger log = (Logger) LoggerFactory.getLogger("quiet-log-test");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    Instant[] now = {Instant.parse("2026-12-05T10:00:00Z")};
    Clock clock =
        new Clock() {
          @Override
          public ZoneOffset getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    QuietLog q = new QuietLog(clock, Duration.ofMinutes(1));
    for (int i = 0; i < 10_000; i++) {
      q.info(log, "ok viewer 10.0.0.1", "dashboard: {} logged in from {}", "viewer", "10.0.0.1");
      now[0] = now[0].plusMillis(1);
    }
    now[0] = now[0].plus(Duration.ofMinutes(1));
    q.info(log, "ok viewer 10.0.0.1", "dashboard: {} logged in from {}", "viewer", "10.0.0.1");
    assertEquals(2, lines.list.size());
    assertEquals(
        "dashboard: viewer logged in from 10.0.0.1 (9999 more like it in the last minute not logged)",
        lines.list.get(1).getFormattedMessage());
  }
}
