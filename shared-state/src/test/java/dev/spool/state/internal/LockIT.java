package dev.spool.state.internal;

import static dev.spool.state.internal.StateFixture.ms;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.DistributedLock;
import dev.spool.LockLease;
import dev.spool.LockLostException;
import dev.spool.LockTimeoutException;
import dev.spool.MultiLease;
import dev.spool.NestedLockException;
import dev.spool.SharedDict;
import dev.spool.SharedList;
import dev.spool.SharedValue;
import dev.spool.StateLostException;
import dev.spool.state.LockStats;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class LockIT {
  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void acquire_free_grantsWithGrowingFencingTokens(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      DistributedLock lock = state.lock("a");
      long first;
      try (LockLease l = lock.acquire(ms(100), LONG)) {
        first = l.fencingToken();
        assertTrue(l.isHeld());
        assertEquals("a", l.name());
        assertTrue(l.holder().contains("/" + ProcessHandle.current().pid()), l.holder());
        assertEquals(Optional.of(l.holder()), lock.holder());
      }
      assertEquals(Optional.empty(), lock.holder());
      try (LockLease l = lock.acquire(ms(100), LONG)) {
        assertTrue(l.fencingToken() > first);
      }
      assertEquals(2, state.lockStats().get("a").acquired());
    }
  }

  @Test
  void acquire_afterRedisLostTheFenceCounter_tokenStillGrowsPastEveryEarlierOne(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env);
        redis.clients.jedis.Jedis jedis = env.jedis()) {
      DistributedLock lock = state.lock("lost");
      long before;
      try (LockLease l = lock.acquire(ms(100), LONG)) {
        before = l.fencingToken();
      }
      // What a restart without persistence, or a failover that lost the last writes, leaves.
      assertEquals(1, jedis.del(env.namespace() + ":lock:lost:fence"));
      try (LockLease l = lock.acquire(ms(100), LONG)) {
        assertTrue(
            l.fencingToken() > before,
            "token " + l.fencingToken() + " after the loss, " + before + " before");
      }
    }
  }

  @Test
  void acquire_afterRedisLostTheNamespacesState_refusedByEveryClientUntilTheLossIsAccepted(
      StateTestEnv env) {
    try (RedisState a = StateFixture.state(env);
        RedisState b = StateFixture.state(env);
        redis.clients.jedis.Jedis jedis = env.jedis()) {
      SharedValue<Long> count = a.value("count", Long.class);
      try (LockLease l = a.lock("count").acquire(ms(100), LONG)) {
        count.set(41L, l);
      }
      assertFalse(a.stateLost());
      // A restart without persistence: every key of the namespace gone, clients still running.
      for (String k : jedis.keys(env.namespace() + ":*")) jedis.del(k);

      StateLostException e =
          assertThrows(StateLostException.class, () -> a.lock("count").acquire(ms(100), LONG));
      assertTrue(e.getMessage().contains("lock 'count' refused"), e.getMessage());
      assertTrue(e.getMessage().contains("state accept-loss"), e.getMessage());
      // b never took a lock before the loss, and is refused all the same, on any lock.
      assertThrows(StateLostException.class, () -> b.lock("other").acquire(ms(100), LONG));
      assertTrue(b.stateLost());
      assertEquals(Optional.empty(), count.get(), "the value is gone, not 0 or 41");

      assertTrue(b.acceptStateLoss().isPresent());
      assertEquals(Optional.empty(), b.acceptStateLoss(), "nothing more to accept");
      assertFalse(a.stateLost());
      // The client that saw the lost epoch takes the new one.
      try (LockLease l = a.lock("count").acquire(ms(100), LONG)) {
        count.set(1L, l);
      }
      try (LockLease l = b.lock("count").acquire(ms(100), LONG)) {
        assertEquals(Optional.of(1L), count.get());
      }
    }
  }

  @Test
  void acquire_aClientThatSawTheOldEpochFindsANewOne_marksTheStateLostForAll(StateTestEnv env) {
    try (RedisState a = StateFixture.state(env);
        RedisState late = StateFixture.state(env);
        redis.clients.jedis.Jedis jedis = env.jedis()) {
      a.lock("x").acquire(ms(100), LONG).close();
      jedis.del(env.namespace() + ":epoch");
      // A client that starts after the loss cannot know: it takes a new epoch...
      late.lock("x").acquire(ms(100), LONG).close();
      // ...until a client that saw the old one asks, and the state is marked lost for both.
      assertThrows(StateLostException.class, () -> a.lock("x").acquire(ms(100), LONG));
      assertThrows(StateLostException.class, () -> late.lock("x").acquire(ms(100), LONG));
    }
  }

  @Test
  void acquire_held_timesOutNamingLockAndHolder(StateTestEnv env) throws Exception {
    try (RedisState a = StateFixture.state(env);
        RedisState b = StateFixture.state(env)) {
      try (LockLease held = a.lock("busy").acquire(ms(100), LONG)) {
        LockTimeoutException e =
            CompletableFuture.supplyAsync(
                    () ->
                        assertThrows(
                            LockTimeoutException.class,
                            () -> b.lock("busy").acquire(ms(200), LONG)))
                .get();
        assertEquals("busy", e.lockName());
        assertEquals(held.holder(), e.holder());
        assertTrue(e.getMessage().contains("'busy' held by " + held.holder()), e.getMessage());
        assertEquals(
            Optional.empty(),
            CompletableFuture.supplyAsync(() -> b.lock("busy").tryAcquire(ms(50), LONG)).get());
        assertEquals(2, b.lockStats().get("busy").timeouts());
      }
    }
  }

  @Test
  void waiter_wakesOnReleaseNotOnlyByPolling(StateTestEnv env) throws Exception {
    // A poll interval of 20 s: only the release announcement can wake the waiter in time.
    SharedStateConfig slowPoll =
        StateFixture.config(env).lockPollInterval(Duration.ofSeconds(20)).build();
    try (RedisState a = RedisState.connect(slowPoll);
        RedisState b = RedisState.connect(slowPoll)) {
      LockLease held = a.lock("w").acquire(ms(100), LONG);
      CompletableFuture<Long> waiter =
          CompletableFuture.supplyAsync(
              () -> {
                try (LockLease l = b.lock("w").acquire(Duration.ofSeconds(25), LONG)) {
                  return l.fencingToken();
                }
              });
      // The waiter tried, failed and is asleep on the lock before we release it.
      await().atMost(Duration.ofSeconds(5)).until(() -> b.lockWaiters() == 1);
      held.close();
      assertTrue(waiter.get(10, TimeUnit.SECONDS) > held.fencingToken());
    }
  }

  @Test
  void expiredLease_nextHolderGetsIt_oldCloseThrowsAndLeavesNewLock(StateTestEnv env) {
    try (RedisState a = StateFixture.state(env);
        RedisState b = StateFixture.state(env)) {
      LockLease old = a.lock("x").acquire(ms(100), ms(300));
      LockLease next = b.lock("x").acquire(Duration.ofSeconds(5), LONG); // waits out the lease
      assertTrue(next.fencingToken() > old.fencingToken());
      assertFalse(old.isHeld());

      SharedDict<String, String> d = a.dict("fenced", String.class, String.class);
      LockLostException refused =
          assertThrows(LockLostException.class, () -> d.put("k", "stale", old));
      assertTrue(refused.getMessage().contains("lock 'x'"), refused.getMessage());
      assertThrows(LockLostException.class, () -> a.list("fl", String.class).append("stale", old));
      assertThrows(LockLostException.class, () -> a.value("fv", String.class).set("stale", old));
      d.put("k", "fresh", next);
      assertEquals(Optional.of("fresh"), d.get("k"));

      assertThrows(LockLostException.class, old::close);
      assertTrue(next.isHeld(), "the old holder's release must leave the new lock alone");
      assertThrows(LockLostException.class, () -> old.extend(LONG));
      next.close();
      assertTrue(a.lockStats().get("x").lost() >= 1);
    }
  }

  @Test
  void fencedWrites_whileHeld_apply(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      try (LockLease l = state.lock("f").acquire(ms(100), LONG)) {
        SharedList<Integer> list = state.list("fl", Integer.class);
        list.append(1, l);
        list.append(2, l);
        list.set(0, 10, l);
        assertThrows(IndexOutOfBoundsException.class, () -> list.set(9, 0, l));
        assertEquals(List.of(10, 2), list.range(0, 2));
        SharedValue<String> v = state.value("fv", String.class);
        v.set("ok", l);
        assertEquals(Optional.of("ok"), v.get());
        SharedDict<String, Long> d = state.dict("fd", String.class, Long.class);
        d.put("a", 1L, l);
        assertTrue(d.remove("a", l));
      }
    }
  }

  @Test
  void watchdog_keepsShortLeaseAliveWhileHeld_andWithoutItItExpires(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      try (LockLease l = state.lock("wd").withWatchdog().acquire(ms(100), Duration.ofSeconds(1))) {
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(7))
            .pollInterval(ms(200))
            .until(l::isHeld);
      }
      LockLease plain = state.lock("nowd").acquire(ms(100), Duration.ofSeconds(1));
      await().atMost(Duration.ofSeconds(3)).until(() -> !plain.isHeld());
      assertThrows(LockLostException.class, plain::close);
    }
  }

  @Test
  void extend_heldLease_pushesExpiryOut(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      LockLease l = state.lock("ext").acquire(ms(100), ms(500));
      l.extend(LONG);
      assertEquals(LONG, l.leaseTime());
      await().during(ms(800)).atMost(ms(1500)).until(l::isHeld);
      l.close();
      l.close(); // twice is harmless
    }
  }

  @Test
  void multiLock_oppositeOrdersFromManyThreads_neverDeadlock(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<Integer>> runs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String[] order = t % 2 == 0 ? new String[] {"a", "b"} : new String[] {"b", "a"};
        runs.add(
            pool.submit(
                () -> {
                  int done = 0;
                  for (int i = 0; i < 25; i++) {
                    try (MultiLease m = state.locks(order).acquire(Duration.ofSeconds(20), LONG)) {
                      assertEquals(
                          List.of("a", "b"), m.leases().stream().map(LockLease::name).toList());
                      done++;
                    }
                  }
                  return done;
                }));
      }
      for (Future<Integer> r : runs) assertEquals(25, r.get(60, TimeUnit.SECONDS));
      pool.shutdown();
      assertEquals(0, state.nestedLockWarnings());
      assertEquals(100, state.lockStats().get("a").acquired());
    }
  }

  @Test
  void multiLock_oneTaken_timesOutAndReleasesWhatItTook(StateTestEnv env) throws Exception {
    try (RedisState a = StateFixture.state(env);
        RedisState b = StateFixture.state(env)) {
      try (LockLease blocker = a.lock("m2").acquire(ms(100), LONG)) {
        LockTimeoutException e =
            CompletableFuture.supplyAsync(
                    () ->
                        assertThrows(
                            LockTimeoutException.class,
                            () -> b.locks("m2", "m1").acquire(ms(300), LONG)))
                .get();
        assertEquals("m2", e.lockName());
        assertEquals(Optional.empty(), b.lock("m1").holder(), "m1 released again: all or nothing");
        assertNotNull(blocker);
      }
    }
  }

  @Test
  void nestedLock_warnsByDefault_throwsInStrictMode(StateTestEnv env) {
    try (RedisState lenient = StateFixture.state(env);
        RedisState strict =
            RedisState.connect(StateFixture.config(env).strictNesting(true).build())) {
      try (LockLease outer = lenient.lock("n1").acquire(ms(100), LONG);
          LockLease inner = lenient.lock("n2").acquire(ms(100), LONG)) {
        assertEquals(1, lenient.nestedLockWarnings());
        assertTrue(inner.isHeld() && outer.isHeld());
      }
      try (LockLease outer = strict.lock("s1").acquire(ms(100), LONG)) {
        NestedLockException e =
            assertThrows(NestedLockException.class, () -> strict.lock("s2").acquire(ms(100), LONG));
        assertTrue(e.getMessage().contains("'s2' while holding 's1'"), e.getMessage());
        assertThrows(
            NestedLockException.class, () -> strict.locks("s2", "s3").acquire(ms(100), LONG));
        assertTrue(outer.isHeld());
      }
      try (LockLease again = strict.lock("s2").acquire(ms(100), LONG)) {
        assertTrue(again.isHeld(), "released locks no longer count as held");
      }
    }
  }

  @Test
  void longHold_logsWarningWithNameAndHolder(StateTestEnv env) {
    try (LogCapture log = new LogCapture(DefaultLease.class);
        RedisState state =
            RedisState.connect(StateFixture.config(env).holdWarning(ms(100)).build())) {
      try (LockLease l = state.lock("slow").acquire(ms(100), LONG)) {
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    log.messages().stream()
                        .anyMatch(m -> m.contains("lock 'slow' held by " + l.holder())));
      }
      try (LockLease quick = state.lock("quick").acquire(ms(100), LONG)) {
        assertTrue(quick.isHeld());
      }
      // A hold shorter than the threshold cancels its warning (when this machine kept it short).
      if (state.lockStats().get("quick").maxHold().toMillis() < 100) {
        assertTrue(
            log.messages().stream().noneMatch(m -> m.contains("'quick'")),
            log.messages().toString());
      }
    }
  }

  @Test
  void nestedLock_warningNamesBothLocks(StateTestEnv env) {
    try (LogCapture log = new LogCapture(LockEngine.class);
        RedisState state = StateFixture.state(env)) {
      try (LockLease outer = state.lock("outer").acquire(ms(100), LONG);
          LockLease inner = state.lock("inner").acquire(ms(100), LONG)) {
        assertTrue(
            log.messages().stream()
                .anyMatch(m -> m.contains("takes lock 'inner' while holding 'outer'")),
            log.messages().toString());
      }
    }
  }

  @Test
  void holdTimes_areRecordedPerLock(StateTestEnv env) {
    try (RedisState state =
        RedisState.connect(StateFixture.config(env).holdWarning(ms(50)).build())) {
      try (LockLease l = state.lock("h").acquire(ms(100), LONG)) {
        await().pollDelay(ms(120)).atMost(ms(1000)).until(l::isHeld);
      }
      LockStats s = state.lockStats().get("h");
      assertEquals(1, s.acquired());
      assertTrue(s.maxHold().toMillis() >= 120, s.toString());
    }
  }

  @Test
  void badDurations_areRejectedNamingTheValue(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> state.lock("d").acquire(Duration.ZERO, LONG));
      assertTrue(e.getMessage().startsWith("wait must be a positive duration"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> state.lock("d").acquire(LONG, ms(-1)));
      assertThrows(IllegalArgumentException.class, () -> state.locks());
    }
  }
}
