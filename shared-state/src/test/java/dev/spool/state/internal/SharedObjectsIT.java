package dev.spool.state.internal;

import static dev.spool.state.internal.StateFixture.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedCounter;
import dev.spool.SharedDict;
import dev.spool.SharedList;
import dev.spool.SharedValue;
import dev.spool.StateCodecException;
import dev.spool.StateConnectionException;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

@ExtendWith(StateServicesExtension.class)
final class SharedObjectsIT {
  record Point(int x, int y) {}

  @Test
  void dict_everyOperation_behavesLikeAMap(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedDict<String, Point> d = state.dict("points", String.class, Point.class);
      assertEquals(Optional.empty(), d.get("a"));
      d.put("a", new Point(1, 2));
      assertEquals(Optional.of(new Point(1, 2)), d.get("a"));
      assertTrue(d.putIfAbsent("b", new Point(3, 4)));
      assertFalse(d.putIfAbsent("b", new Point(9, 9)));
      assertTrue(d.containsKey("b"));
      assertEquals(2, d.size());
      assertEquals(Set.of("a", "b"), d.keys());
      assertEquals(Map.of("a", new Point(1, 2), "b", new Point(3, 4)), d.entries());
      assertTrue(d.remove("a"));
      assertFalse(d.remove("a"));
      d.clear();
      assertEquals(0, d.size());
      assertEquals(env.namespace() + ":dict:points", d.key());
    }
  }

  @Test
  void dict_nonStringKeys_roundTripAsJson(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedDict<Long, String> d = state.dict("bylong", Long.class, String.class);
      d.put(7L, "seven");
      assertEquals(Set.of(7L), d.keys());
      assertEquals(Optional.of("seven"), d.get(7L));
    }
  }

  @Test
  void dict_incrementAndUpdate_areAtomicUnderContention(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      SharedDict<String, Long> d = state.dict("counts", String.class, Long.class);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 50; i++) {
                    d.increment("inc", 1);
                    d.update("upd", v -> v == null ? 1L : v + 1);
                  }
                }));
      }
      for (Future<?> f : fs) f.get();
      pool.shutdown();
      assertEquals(Optional.of(400L), d.get("inc"));
      assertEquals(Optional.of(400L), d.get("upd"));
      assertEquals(null, d.update("upd", v -> null));
      assertFalse(d.containsKey("upd"));
    }
  }

  @Test
  void dict_timeToLive_expiresTheWholeDict(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedDict<String, Long> d = state.dict("short", String.class, Long.class);
      assertEquals(Optional.empty(), d.timeToLive());
      d.put("x", 1L);
      d.expireAfter(ms(300));
      assertTrue(d.timeToLive().orElseThrow().toMillis() <= 300);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> d.size() == 0);
      assertThrows(IllegalArgumentException.class, () -> d.expireAfter(Duration.ZERO));
    }
  }

  @Test
  void storedGarbage_decodeErrorNamesTheKey(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env);
        Jedis jedis = env.jedis()) {
      SharedDict<String, Long> d = state.dict("bad", String.class, Long.class);
      jedis.hset(d.key(), "f", "not-json");
      StateCodecException e = assertThrows(StateCodecException.class, () -> d.get("f"));
      assertTrue(e.getMessage().contains("'" + d.key() + "' field 'f'"), e.getMessage());

      SharedValue<Point> v = state.value("badv", Point.class);
      jedis.set(v.key(), "[1,2");
      StateCodecException ev = assertThrows(StateCodecException.class, v::get);
      assertTrue(ev.getMessage().contains(v.key()), ev.getMessage());

      SharedCounter c = state.counter("badc");
      jedis.set(c.key(), "ten");
      assertThrows(StateCodecException.class, c::get);
    }
  }

  @Test
  void list_everyOperation_behavesLikeAList(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedList<String> l = state.list("names", String.class);
      assertEquals(1, l.append("a"));
      assertEquals(3, l.appendAll(List.of("b", "c")));
      assertEquals("b", l.get(1));
      l.set(1, "B");
      assertEquals(List.of("a", "B", "c"), l.range(0, 3));
      assertEquals(List.of("B"), l.range(1, 2));
      assertEquals(List.of(), l.range(2, 2));
      assertEquals(3, l.size());
      assertThrows(IndexOutOfBoundsException.class, () -> l.get(3));
      assertThrows(IndexOutOfBoundsException.class, () -> l.set(5, "x"));
      assertThrows(IndexOutOfBoundsException.class, () -> l.get(-1));
      assertEquals(Optional.of("a"), l.popLeft());
      assertEquals(Optional.of("c"), l.popRight());
      assertEquals(Optional.of("B"), l.popLeft(ms(100)));
      assertEquals(Optional.empty(), l.popRight(ms(100)));
      l.append("z");
      l.clear();
      assertEquals(0, l.size());
    }
  }

  @Test
  void list_blockingPop_receivesAnElementAppendedLater(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      SharedList<Integer> l = state.list("q", Integer.class);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<Optional<Integer>> popped = pool.submit(() -> l.popLeft(Duration.ofSeconds(10)));
      try (Jedis jedis = env.jedis()) { // the pop is waiting inside Redis before we append
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> !jedis.info("clients").contains("blocked_clients:0"));
      }
      l.append(42);
      assertEquals(Optional.of(42), popped.get());
      pool.shutdown();
    }
  }

  @Test
  void counterAndValue_everyOperation(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      SharedCounter c = state.counter("hits");
      assertEquals(0, c.get());
      assertEquals(1, c.incrementAndGet());
      assertEquals(11, c.addAndGet(10));
      c.set(5);
      assertEquals(5, c.get());
      c.reset();
      assertEquals(0, c.get());

      SharedValue<Point> v = state.value("origin", Point.class);
      assertEquals(Optional.empty(), v.get());
      assertTrue(v.compareAndSet(null, new Point(0, 0)));
      assertFalse(v.compareAndSet(null, new Point(1, 1)));
      assertTrue(v.compareAndSet(new Point(0, 0), new Point(2, 2)));
      assertFalse(v.compareAndSet(new Point(0, 0), new Point(3, 3)));
      assertEquals(Optional.of(new Point(2, 2)), v.get());
      v.set(new Point(5, 5));
      assertEquals(Optional.of(new Point(5, 5)), v.get());
      v.delete();
      assertEquals(Optional.empty(), v.get());
    }
  }

  @Test
  void badNames_areRejected(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> state.dict("", String.class, Long.class));
      assertTrue(e.getMessage().contains("dict name ''"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> state.list("has space", String.class));
      assertThrows(IllegalArgumentException.class, () -> state.lock("x".repeat(200)));
      assertThrows(
          IllegalArgumentException.class,
          () -> state.dict("ok", String.class, Long.class).put(null, 1L));
    }
  }

  @Test
  void unreachableRedis_failsWithClearMessage() {
    try (RedisState state =
        RedisState.connect(
            SharedStateConfig.builder().redisUri("redis://127.0.0.1:1/0").namespace("x").build())) {
      StateConnectionException e = assertThrows(StateConnectionException.class, state::ping);
      assertTrue(
          e.getMessage().startsWith("cannot reach Redis at redis://127.0.0.1:1/0"), e.getMessage());
      assertTrue(e.getMessage().contains("SPOOL_REDIS_URI"), e.getMessage());
    }
  }
}
