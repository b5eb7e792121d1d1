package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.DistributedLock;
import dev.spool.LockLease;
import dev.spool.LockLostException;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class SharedTimetableIT {
  @Test
  void fire_storesTheOccurrenceOnce_andAdvances_onlyUnderTheLease(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedTimetable t = state.timetable("beat");
      SharedSchedule target = state.schedule("work");
      Instant due = Instant.now().minusSeconds(2);
      t.put("nightly", "def-1", due);
      t.put("later", "def-2", Instant.now().plusSeconds(3600));

      SharedTimetable.Due d = t.due(10, Duration.ZERO);
      assertEquals(List.of("nightly"), List.copyOf(d.entries().keySet()));
      assertEquals(due.toEpochMilli(), d.entries().get("nightly").toEpochMilli());
      assertTrue(Duration.between(d.now(), Instant.now()).abs().toMillis() < 5_000, "Redis time");
      assertEquals(
          2, t.due(10, Duration.ofHours(2)).entries().size(), "the lookahead reaches 'later'");

      DistributedLock lock = state.lock("scheduler");
      LockLease lease = lock.acquire(Duration.ofSeconds(1), Duration.ofSeconds(30));
      Instant next = due.plusSeconds(60);
      Instant dueMs = Instant.ofEpochMilli(due.toEpochMilli());
      assertFalse(
          t.fire(lease, "nightly", "def-0", dueMs, next, target, "occ-1", "payload", dueMs),
          "a definition edited since it was read is not fired");
      assertTrue(t.fire(lease, "nightly", "def-1", dueMs, next, target, "occ-1", "payload", dueMs));
      assertFalse(
          t.fire(lease, "nightly", "def-1", dueMs, next, target, "occ-1", "payload", dueMs),
          "the same occurrence does not fire twice");
      assertEquals(1, target.waiting());
      SharedTimetable.Entry e = t.get("nightly").orElseThrow();
      assertEquals(next.toEpochMilli(), e.nextDue().toEpochMilli());
      assertEquals(dueMs, e.lastFired());

      // A skipped occurrence advances without storing anything.
      Instant next2 = next.plusSeconds(60);
      assertTrue(t.fire(lease, "nightly", "def-1", next, next2, target, "occ-2", null, next));
      assertEquals(1, target.waiting());
      assertEquals(dueMs, t.get("nightly").orElseThrow().lastFired(), "a skip is not a fire");

      // A lost lease fires nothing.
      lease.close();
      assertThrows(
          LockLostException.class,
          () -> t.fire(lease, "nightly", "def-1", next2, null, target, "occ-3", "p", next2));
      assertEquals(next2.toEpochMilli(), t.get("nightly").orElseThrow().nextDue().toEpochMilli());
      assertEquals(1, target.waiting());

      assertTrue(t.redefine("nightly", "def-9"));
      assertFalse(t.redefine("absent", "x"));
      assertEquals("def-9", t.definition("nightly").orElseThrow());
      assertTrue(t.remove("nightly"));
      assertFalse(t.remove("nightly"));
      assertNull(t.get("nightly").orElse(null));
      assertEquals(1, t.all().size());
      t.clear();
      target.clear();
      assertTrue(t.all().isEmpty());
    }
  }
}
