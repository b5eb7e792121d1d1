package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class RateScheduleIT {
  @Test
  void reserve_booksEvenlySpacedSlots_acrossConcurrentCallers(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env);
        RedisState other = StateFixture.state(env)) {
      RateSchedule r = state.rateSchedule("charge");
      assertEquals(Duration.ZERO, r.reserve(10, Duration.ofSeconds(1)), "the first starts at once");
      // 200 more from 8 threads on two clients: every slot 100 ms after the one before.
      List<Long> waits = Collections.synchronizedList(new ArrayList<>());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        RedisState s = i % 2 == 0 ? state : other;
        fs.add(
            pool.submit(
                () ->
                    waits.add(
                        s.rateSchedule("charge").reserve(10, Duration.ofSeconds(1)).toMillis())));
      }
      for (Future<?> f : fs) f.get();
      pool.shutdown();
      List<Long> sorted = new ArrayList<>(waits);
      Collections.sort(sorted);
      // Slot k (1..200) is k x 100 ms after the first, less the time spent asking (under 3 s).
      for (int k = 1; k < sorted.size(); k++) {
        long gap = sorted.get(k) - sorted.get(k - 1);
        assertTrue(gap >= 0 && gap <= 100, "gap " + gap + " ms at " + k);
      }
      long span = sorted.getLast() - sorted.getFirst();
      assertTrue(span >= 199 * 100 - 3000 && span <= 199 * 100, "span " + span);
      assertThrows(IllegalArgumentException.class, () -> r.reserve(0, Duration.ofSeconds(1)));
      assertThrows(IllegalArgumentException.class, () -> r.reserve(1, Duration.ZERO));
      r.clear();
      assertEquals(Duration.ZERO, r.reserve(10, Duration.ofSeconds(1)));
      r.clear();
    }
  }
}
