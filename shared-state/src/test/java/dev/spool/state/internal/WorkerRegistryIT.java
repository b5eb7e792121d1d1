package dev.spool.state.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class WorkerRegistryIT {
  @Test
  void alive_reportThatIsNotBeatenAgain_disappearsAfterItsTtl(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      WorkerRegistry workers = state.workers();
      assertEquals(Map.of(), workers.alive());

      workers.beat("host-a/1", "{\"n\":1}", Duration.ofMillis(500));
      workers.beat("host-b/2", "{\"n\":2}", Duration.ofMinutes(1));
      workers.beat("host-a/1", "{\"n\":3}", Duration.ofMillis(500)); // the later report wins
      assertEquals(Map.of("host-a/1", "{\"n\":3}", "host-b/2", "{\"n\":2}"), workers.alive());
      assertEquals(List.of("host-a/1", "host-b/2"), workers.ids());

      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> workers.alive().equals(Map.of("host-b/2", "{\"n\":2}")));

      workers.remove("host-b/2");
      assertEquals(Map.of(), workers.alive());
      try (var jedis = env.jedis()) {
        assertEquals(0, jedis.keys(env.namespace() + ":worker*").size(), "nothing left behind");
      }
      assertThrows(
          IllegalArgumentException.class, () -> workers.beat("a/1", "{}", Duration.ofHours(2)));
      assertThrows(IllegalArgumentException.class, () -> workers.beat("", "{}", Duration.ZERO));
    }
  }

  @Test
  void ping_eachWorkerAnswersOpenPings_thePingerReadsTheAnswers(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      WorkerRegistry workers = state.workers();
      assertEquals(List.of(), workers.openPings());

      String open = workers.ping(Duration.ofMinutes(1));
      String closing = workers.ping(Duration.ofMillis(300));
      assertEquals(2, workers.openPings().size());
      assertTrue(workers.openPings().containsAll(List.of(open, closing)));

      workers.answer(open, "host-a/1", "{\"a\":1}");
      workers.answer(open, "host-b/2", "{\"b\":2}");
      assertEquals(Map.of("host-a/1", "{\"a\":1}", "host-b/2", "{\"b\":2}"), workers.answers(open));
      assertEquals(Map.of(), workers.answers(closing));

      await().atMost(Duration.ofSeconds(5)).until(() -> workers.openPings().equals(List.of(open)));
      workers.forget(open);
      workers.forget(closing);
      assertEquals(List.of(), workers.openPings());
      assertEquals(Map.of(), workers.answers(open));
      assertThrows(IllegalArgumentException.class, () -> workers.answers("../x"));
    }
  }
}
