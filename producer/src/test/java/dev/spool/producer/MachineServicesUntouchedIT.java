package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.services.MachineServicesWatch;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Runs last in this module's integration tests, where the fault tests are (the chaos suite, the
 * memory alarm, the broker restarts and the Redis freezes), and checks what {@link
 * MachineServicesWatch} saw of the machine's own RabbitMQ and Redis during all of them: never
 * blocked by an alarm, never a connection closed under it, never a PING unanswered for 2 s, never a
 * restart. The faults went to services the tests started themselves.
 */
@Order(Integer.MAX_VALUE)
final class MachineServicesUntouchedIT {
  @Test
  void wholeSuite_machineServicesNeverStoppedAlarmedCutOrFrozen() {
    MachineServicesWatch watch = MachineServicesWatch.current();
    assertNotNull(watch, "the watch starts with every run of integration tests");
    if (watch.notWatched() != null) {
      // Nothing on this machine to harm: the fixture found its services elsewhere.
      assertTrue(watch.notWatched().contains("do not answer"), watch.notWatched());
      return;
    }
    List<String> harms = watch.harms();
    assertEquals(List.of(), harms, "what the suite did to the machine's own services");
    assertTrue(watch.pings() > 0, "the watch asked Redis during the run");
    assertTrue(watch.publishes() > 0, "the watch published to the broker during the run");
  }
}
