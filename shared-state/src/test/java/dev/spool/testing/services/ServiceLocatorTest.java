package dev.spool.testing.services;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

final class ServiceLocatorTest {
  @Test
  void locate_explicitUrisThatDoNotAnswer_failsSayingWhere() {
    ServiceLocator locator =
        new ServiceLocator(
            Map.of(
                ServiceLocator.AMQP_ENV, "amqp://guest:guest@127.0.0.1:1/%2F",
                ServiceLocator.REDIS_ENV, "redis://127.0.0.1:1/0"));
    IllegalStateException e = assertThrows(IllegalStateException.class, locator::locate);
    assertTrue(e.getMessage().contains("do not answer"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
  }

  @Test
  void locate_onlyOneUriSet_asksForBoth() {
    ServiceLocator locator =
        new ServiceLocator(Map.of(ServiceLocator.AMQP_ENV, "amqp://guest:guest@127.0.0.1:1/%2F"));
    IllegalStateException e = assertThrows(IllegalStateException.class, locator::locate);
    assertTrue(e.getMessage().contains("set both"), e.getMessage());
  }
}
