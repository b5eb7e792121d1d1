package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class DashboardConfigTest {
  private static DashboardConfig config(int port, String admin, String viewer) {
    return new DashboardConfig("127.0.0.1", port, admin, viewer, Set.of(), Duration.ofHours(1), 10);
  }

  @Test
  void build_badValues_failNamingTheSetting() {
    var shortPassword =
        assertThrows(IllegalArgumentException.class, () -> config(8080, "short", null));
    assertTrue(shortPassword.getMessage().contains("SPOOL_DASHBOARD_PASSWORD"));
    var same =
        assertThrows(
            IllegalArgumentException.class, () -> config(8080, "same-password", "same-password"));
    assertTrue(same.getMessage().contains("must differ"));
    var port =
        assertThrows(IllegalArgumentException.class, () -> config(70000, "admin-password", null));
    assertTrue(port.getMessage().contains("--port"));
    assertFalse(config(0, "admin-password", "viewer-password").toString().contains("password="));
  }

  @Test
  void credentials_eachLoginItsOwnPassword_noViewerWithoutItsPassword() {
    Credentials both = new Credentials("admin-password", "viewer-password");
    assertEquals(Optional.of(Sessions.Role.ADMIN), both.check("admin", "admin-password"));
    assertEquals(Optional.of(Sessions.Role.VIEWER), both.check("viewer", "viewer-password"));
    assertEquals(Optional.empty(), both.check("viewer", "admin-password"));
    assertEquals(Optional.empty(), both.check("root", "admin-password"));
    assertEquals(Optional.empty(), both.check("admin", null));
    Credentials adminOnly = new Credentials("admin-password", null);
    assertEquals(Optional.empty(), adminOnly.check("viewer", ""));
  }
}
