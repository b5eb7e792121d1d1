package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class ExpiringSetIT {
  @Test
  void membersExpireOneByOne_theVersionGrowsAtEveryChange(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      ExpiringSet set = state.expiringSet("cancelled");
      assertEquals(0, set.version(), "never changed");
      assertEquals(new ExpiringSet.Snapshot(0, Set.of()), set.snapshot());

      assertEquals(2, set.add(List.of("a", "b"), Duration.ofMillis(400)));
      assertEquals(1, set.add(List.of("b", "c"), Duration.ofMinutes(5)), "b was there");
      long v = set.version();
      assertEquals(2, v);
      assertEquals(new ExpiringSet.Snapshot(2, Set.of("a", "b", "c")), set.snapshot());
      assertTrue(set.contains("a"));

      Thread.sleep(600); // a expires; b's later expiry was kept
      assertFalse(set.contains("a"));
      assertEquals(Set.of("b", "c"), set.snapshot().members());
      assertEquals(v, set.version(), "expiry alone changes no version: readers drop it by time");

      assertTrue(set.remove("c"));
      assertFalse(set.remove("c"));
      assertEquals(new ExpiringSet.Snapshot(3, Set.of("b")), set.snapshot());

      long ttl;
      try (var jedis = env.jedis()) {
        ttl = jedis.pttl(set.key());
      }
      assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).plusSeconds(1).toMillis(), "ttl " + ttl);
      assertThrows(IllegalArgumentException.class, () -> set.add(List.of("x"), Duration.ZERO));
      assertThrows(
          IllegalArgumentException.class, () -> set.add(List.of("x"), Duration.ofDays(91)));
      set.clear();
      assertEquals(0, set.size());
    }
  }
}
