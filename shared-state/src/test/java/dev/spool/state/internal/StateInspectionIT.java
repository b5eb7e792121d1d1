package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.LockLease;
import dev.spool.SharedList;
import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class StateInspectionIT {
  @Test
  void locksHeld_listsNameHolderAgeAndLeaseLeft_andForgetsReleasedLocks(StateTestEnv env)
      throws Exception {
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    MutableClock clock = new MutableClock(t0);
    try (RedisState state = RedisState.connect(StateFixture.config(env).clock(clock).build())) {
      assertEquals(List.of(), state.locksHeld());
      try (LockLease a =
              state.lock("alpha").acquire(Duration.ofSeconds(1), Duration.ofSeconds(30));
          LockLease b = state.lock("beta").acquire(Duration.ofSeconds(1), Duration.ofSeconds(20))) {
        clock.now = t0.plusSeconds(7);
        List<HeldLock> held = state.locksHeld();
        assertEquals(List.of("alpha", "beta"), held.stream().map(HeldLock::name).toList());
        HeldLock alpha = held.getFirst();
        assertTrue(alpha.holder().endsWith(" " + Thread.currentThread().getName()), alpha.holder());
        assertEquals(Duration.ofSeconds(7), alpha.age());
        assertTrue(alpha.expiresIn().compareTo(Duration.ofSeconds(20)) > 0, "" + alpha.expiresIn());
        assertTrue(held.get(1).expiresIn().compareTo(Duration.ofSeconds(20)) <= 0);
      }
      assertEquals(List.of(), state.locksHeld(), "released locks are gone; fence keys not listed");
    }
  }

  @Test
  void acquiredAt_isReadFromTheLockValue_orNullForAnOlderFormat() {
    assertEquals(Instant.ofEpochMilli(1234), StateInspector.acquiredAt("h/1 main@x#0f-uuid@1234"));
    assertNull(StateInspector.acquiredAt("h/1 main#0f-uuid"));
    assertNull(StateInspector.acquiredAt("h/1 main#0f-uuid@notanumber"));
  }

  @Test
  void objects_countsEachKind_andShowsUpToTheLimit(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      state.dict("d1", String.class, Integer.class).put("a", 1);
      state.dict("d2", String.class, Integer.class).put("a", 1);
      state.dict("d2", String.class, Integer.class).put("b", 2);
      SharedList<String> list = state.list("l", String.class);
      list.append("x");
      list.append("y");
      list.append("z");
      list.expireAfter(Duration.ofMinutes(5));
      state.counter("c").addAndGet(5);
      try (LockLease ignored =
          state.lock("not-an-object").acquire(Duration.ofSeconds(1), Duration.ofSeconds(30))) {
        SharedObjects all = state.objects(100);
        assertEquals(Map.of("dict", 2L, "list", 1L, "counter", 1L), all.counts());
        assertEquals(
            List.of("counter c 1", "dict d1 1", "dict d2 2", "list l 3"),
            all.entries().stream().map(e -> e.kind() + " " + e.name() + " " + e.size()).toList());
        SharedObjects.Entry l = all.entries().get(3);
        assertNotNull(l.ttl());
        assertNull(all.entries().get(1).ttl());
        assertEquals(2, state.objects(2).entries().size(), "limited, counts still whole");
        assertEquals(all.counts(), state.objects(2).counts());
      }
    }
  }

  /** A clock a test moves by hand. */
  static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
