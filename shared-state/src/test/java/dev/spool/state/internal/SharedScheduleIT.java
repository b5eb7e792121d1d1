package dev.spool.state.internal;

import static dev.spool.testing.services.Announcements.awaitGeneration;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.LockLease;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class SharedScheduleIT {
  @Test
  void claim_handsOutOnlyDueEntries_onceEach_untilTheirLeaseRunsOut(StateTestEnv env)
      throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      SharedSchedule s = state.schedule("tasks");
      Instant due = s.addIn("now", "p-now", Duration.ZERO);
      s.addIn("later", "p-later", Duration.ofHours(1));
      s.addAt("past", "p-past", Instant.now().minusSeconds(60));
      assertEquals(3, s.waiting());
      assertTrue(s.nextDue().orElseThrow().isBefore(due.plusMillis(1)));

      List<SharedSchedule.Entry> got = s.claim(10, Duration.ofMillis(300)).entries();
      assertEquals(List.of("past", "now"), got.stream().map(SharedSchedule.Entry::id).toList());
      assertEquals("p-now", got.get(1).payload());
      assertEquals(due, got.get(1).due());
      assertTrue(
          s.claim(10, Duration.ofSeconds(1)).entries().isEmpty(), "claimed: nobody else gets it");
      assertEquals(2, s.claimed());

      s.done("past");
      Thread.sleep(400); // the claim on "now" runs out: its claimer died
      List<SharedSchedule.Entry> again = s.claim(10, Duration.ofSeconds(30)).entries();
      assertEquals(List.of("now"), again.stream().map(SharedSchedule.Entry::id).toList());
      assertFalse(s.cancel("now"), "a claimed entry cannot be cancelled here");
      assertTrue(s.cancel("later"));
      assertFalse(s.cancel("later"));
      assertEquals(0, s.waiting());
    }
  }

  @Test
  void manyClaimers_eachDueEntryHandedOutExactlyOnce(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      SharedSchedule s = state.schedule("race");
      int n = 2000;
      for (int i = 0; i < n; i++) s.addIn("e" + i, "x", Duration.ZERO);
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<List<String>>> claims = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        claims.add(
            pool.submit(
                () -> {
                  List<String> mine = new ArrayList<>();
                  List<SharedSchedule.Entry> batch;
                  while (!(batch = s.claim(37, Duration.ofMinutes(1)).entries()).isEmpty()) {
                    batch.forEach(e -> mine.add(e.id()));
                  }
                  return mine;
                }));
      }
      Set<String> seen = new HashSet<>();
      int total = 0;
      for (Future<List<String>> f : claims) {
        List<String> ids = f.get();
        total += ids.size();
        seen.addAll(ids);
      }
      pool.shutdown();
      assertEquals(n, total, "no entry handed out twice");
      assertEquals(n, seen.size(), "none lost");
    }
  }

  @Test
  void claim_saysHowLongUntilTheNextEntryFallsDue_orALeaseRunsOut(StateTestEnv env)
      throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      SharedSchedule s = state.schedule("next");
      SharedSchedule.Claim empty = s.claim(10, Duration.ofMinutes(1));
      assertTrue(empty.entries().isEmpty());
      assertEquals(null, empty.untilNext(), "nothing waits, nothing claimed");

      s.addIn("soon", "x", Duration.ofSeconds(10));
      s.addIn("now", "y", Duration.ZERO);
      SharedSchedule.Claim c = s.claim(10, Duration.ofMinutes(1));
      assertEquals(List.of("now"), c.entries().stream().map(SharedSchedule.Entry::id).toList());
      assertTrue(
          c.untilNext().compareTo(Duration.ofSeconds(9)) > 0
              && c.untilNext().compareTo(Duration.ofSeconds(10)) <= 0,
          "the waiting entry, not the claim's lease of a minute: " + c.untilNext());

      s.cancel("soon");
      SharedSchedule.Claim leased = s.claim(10, Duration.ofMinutes(1));
      assertTrue(
          leased.untilNext().compareTo(Duration.ofSeconds(50)) > 0
              && leased.untilNext().compareTo(Duration.ofMinutes(1)) <= 0,
          "the claim on 'now' runs out within its lease: " + leased.untilNext());
    }
  }

  @Test
  void anEntryAheadOfEveryWaitingOne_isAnnounced_oneBehindIsNot(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env);
        RedisState other = StateFixture.state(env)) {
      SharedSchedule s = state.schedule("announced");
      try (ChannelNotifier.Interest sooner = other.schedule("elsewhere").sooner()) {
        long g0 = sooner.generation();
        s.addIn("first", "x", Duration.ofMinutes(10)); // the only one: ahead of every other
        awaitGeneration(sooner, g0 + 1);

        s.addIn("behind", "x", Duration.ofMinutes(20)); // not announced
        s.addIn("ahead", "x", Duration.ofMinutes(5)); // announced
        awaitGeneration(sooner, g0 + 2);
        // Messages arrive in order: "behind"'s, had it one, would be counted within this half
        // second.
        Awaitility.await()
            .during(Duration.ofMillis(500))
            .atMost(Duration.ofSeconds(10))
            .until(sooner::generation, g -> g == g0 + 2);

        // Periodic occurrences stored into a schedule are announced the same way.
        SharedTimetable t = state.timetable("announced-beat");
        Instant due = Instant.ofEpochMilli(state.serverTime().toEpochMilli() - 1000);
        t.put("nightly", "def-0", due);
        try (LockLease lease =
            state.lock("announced-leader").acquire(Duration.ofSeconds(1), Duration.ofSeconds(30))) {
          assertTrue(
              t.fire(lease, "nightly", "def-0", due, null, s, "occ-1", "payload", due), "fired");
        }
        awaitGeneration(sooner, g0 + 3);
      }
    }
  }
}
