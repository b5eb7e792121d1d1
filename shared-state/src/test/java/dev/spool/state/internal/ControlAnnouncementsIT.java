package dev.spool.state.internal;

import static dev.spool.testing.services.Announcements.awaitGeneration;

import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What consumers keep in step with Redis is announced when it changes, to every process of the
 * namespace: a cancel (an id added to or removed from an expiring set), a ping of the workers list,
 * and what a producer announces itself (a pause); a delayed entry is not a control change.
 */
@ExtendWith(StateServicesExtension.class)
final class ControlAnnouncementsIT {
  @Test
  void cancelPingAndAnnounce_wakeAnotherProcessesInterest_aScheduleEntryDoesNot(StateTestEnv env)
      throws Exception {
    try (RedisState state = StateFixture.state(env);
        RedisState other = StateFixture.state(env);
        ChannelNotifier.Interest changes = other.controlChanges()) {
      long g0 = changes.generation();
      ExpiringSet cancelled = state.expiringSet("cancelled");
      cancelled.add(List.of("t1"), Duration.ofMinutes(1));
      awaitGeneration(changes, g0 + 1);
      cancelled.remove("t1");
      awaitGeneration(changes, g0 + 2);
      state.workers().ping(Duration.ofSeconds(5));
      awaitGeneration(changes, g0 + 3);
      state.announceControl();
      awaitGeneration(changes, g0 + 4);

      state.schedule("delayed").addIn("e1", "x", Duration.ofMinutes(5)); // announced, not control
      Awaitility.await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(10))
          .until(changes::generation, g -> g == g0 + 4);
    }
  }
}
