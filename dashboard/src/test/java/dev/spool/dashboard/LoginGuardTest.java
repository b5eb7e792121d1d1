package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The login throttle on a clock the test moves. */
final class LoginGuardTest {
  private Instant now = Instant.parse("2026-12-05T10:00:00Z");
  private final Clock clock =
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
          return now;
        }
      };

  @Test
  void tenFailures_refuseThatUserAtThatAddress_forAMinute_notOthers() {
    LoginGuard g = new LoginGuard(clock, "admin-password");
    String attacker = g.who("admin", "10.0.0.66", null);
    for (int i = 0; i < LoginGuard.ATTEMPTS; i++) {
      assertTrue(g.allowed(attacker));
      g.failed(attacker);
    }
    assertFalse(g.allowed(attacker));
    assertTrue(g.allowed(g.who("admin", "10.0.0.7", null)), "the admin elsewhere");
    assertTrue(g.allowed(g.who("viewer", "10.0.0.66", null)), "another user there");
    now = now.plus(Duration.ofSeconds(61));
    assertTrue(g.allowed(attacker), "a minute later");
  }

  @Test
  void aBrowserThatLoggedInBefore_isNeverRefusedForAnotherClientsGuesses() {
    LoginGuard g = new LoginGuard(clock, "admin-password");
    String device = g.newDevice("admin");
    String shared = "10.0.0.1"; // everyone behind one proxy
    String attacker = g.who("admin", shared, null);
    for (int i = 0; i < 50; i++) g.failed(attacker);
    assertFalse(g.allowed(attacker));
    String admin = g.who("admin", shared, device);
    assertTrue(g.allowed(admin), "the admin's own browser still may try");
    // Its own failures are throttled too: a stolen device cookie does not allow guessing.
    for (int i = 0; i < LoginGuard.ATTEMPTS; i++) g.failed(admin);
    assertFalse(g.allowed(admin));
  }

  @Test
  void deviceCookies_forgedOrOfAnotherUser_countForNothing() {
    LoginGuard g = new LoginGuard(clock, "admin-password");
    String viewerDevice = g.newDevice("viewer");
    assertEquals("admin at 1.2.3.4", g.who("admin", "1.2.3.4", viewerDevice));
    assertTrue(g.who("viewer", "1.2.3.4", viewerDevice).startsWith("device viewer."));
    String forged = "admin.AAAAAAAAAAAAAAAAAAAAAA.notTheSignature";
    assertEquals("admin at 1.2.3.4", g.who("admin", "1.2.3.4", forged));
    LoginGuard otherPassword = new LoginGuard(clock, "changed-password");
    assertEquals(
        "admin at 1.2.3.4",
        otherPassword.who("admin", "1.2.3.4", g.newDevice("admin")),
        "a new admin password makes old device cookies worthless");
  }
}
