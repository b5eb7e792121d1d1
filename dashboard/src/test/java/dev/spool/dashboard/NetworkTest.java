package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

final class NetworkTest {
  @Test
  void client_forwardedForIsBelievedOnlyFromATrustedProxy() {
    Network none = new Network(List.of(), Set.of());
    assertEquals("10.0.0.9", none.client("10.0.0.9", "1.2.3.4"), "no proxy trusted: the peer");

    Network proxied = new Network(List.of("10.0.0.0/24", "::1"), Set.of());
    assertEquals("1.2.3.4", proxied.client("10.0.0.9", "1.2.3.4"));
    assertEquals("1.2.3.4", proxied.client("::1", "1.2.3.4"));
    assertEquals(
        "5.6.7.8",
        proxied.client("10.0.0.9", "1.2.3.4, 5.6.7.8, 10.0.0.3"),
        "the right-most address no trusted proxy added");
    assertEquals("10.0.1.9", proxied.client("10.0.1.9", "1.2.3.4"), "outside the range");
    assertEquals("10.0.0.9", proxied.client("10.0.0.9", null));
    assertEquals("10.0.0.9", proxied.client("10.0.0.9", " , "));
  }

  @Test
  void hostAllowed_localhostAndAddressesAndTheNamesGiven_notOtherNames() {
    Network n = new Network(List.of(), Set.of("spool.example.com"));
    assertTrue(n.hostAllowed("localhost:8080"));
    assertTrue(n.hostAllowed("127.0.0.1:38080"));
    assertTrue(n.hostAllowed("192.168.1.10"));
    assertTrue(n.hostAllowed("[::1]:8080"));
    assertTrue(n.hostAllowed("Spool.Example.com:443"));
    assertFalse(n.hostAllowed("attacker.example:8080"), "a rebinding name");
    assertFalse(n.hostAllowed("localhost.attacker.example"));
    assertFalse(n.hostAllowed(null));
    assertFalse(n.hostAllowed(""));
  }

  @Test
  void badSettings_areRefusedNamingTheSetting() {
    var proxy =
        assertThrows(
            IllegalArgumentException.class, () -> new Network(List.of("proxy.lan"), Set.of()));
    assertTrue(proxy.getMessage().contains("SPOOL_DASHBOARD_TRUSTED_PROXIES"), proxy.getMessage());
    var bits =
        assertThrows(
            IllegalArgumentException.class, () -> new Network(List.of("10.0.0.0/33"), Set.of()));
    assertTrue(bits.getMessage().contains("prefix"), bits.getMessage());
    var host =
        assertThrows(
            IllegalArgumentException.class, () -> new Network(List.of(), Set.of("host:8080")));
    assertTrue(host.getMessage().contains("SPOOL_DASHBOARD_ALLOWED_HOSTS"), host.getMessage());
  }
}
