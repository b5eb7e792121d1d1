package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class SessionsTest {
  @Test
  void oneUserLoggingInThousandsOfTimes_endsOnlyItsOwnOldestSessions() {
    Sessions s = new Sessions(Clock.systemUTC(), Duration.ofHours(1));
    String admin = s.open("admin", Sessions.Role.ADMIN);
    for (int i = 0; i < 10_001; i++) s.open("viewer", Sessions.Role.VIEWER);
    assertTrue(s.find(admin).isPresent(), "the admin's session survives");
    assertEquals(Sessions.MAX_PER_USER, s.of("viewer"));
    assertEquals(1, s.of("admin"));
  }
}
