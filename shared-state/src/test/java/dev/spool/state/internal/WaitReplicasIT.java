package dev.spool.state.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.LockLease;
import dev.spool.SharedValue;
import dev.spool.StateConnectionException;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.RedisProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Lock grants and fenced writes acknowledged by a replica ({@code ?wait-replicas=1}), against a
 * Redis primary and replica of the test's own: with the replica stopped (SIGSTOP), a grant or a
 * fenced write that a failover could lose is refused, and the grant is not left held.
 */
final class WaitReplicasIT {
  private static final Duration LONG = Duration.ofSeconds(30);
  private final List<RedisProcess> started = new ArrayList<>();

  @AfterEach
  void stopRedis() throws Exception {
    for (RedisProcess r : started) r.close();
  }

  @Test
  void waitReplicas_grantsAndFencedWritesReachTheReplica_refusedWhenItDoesNotAnswer(
      @TempDir Path dir) throws Exception {
    RedisProcess primaryRedis = RedisProcess.start(dir.resolve("p"));
    started.add(primaryRedis);
    int primary = primaryRedis.port();
    RedisProcess replica =
        RedisProcess.start(dir.resolve("r"), "--replicaof", "127.0.0.1", "" + primary);
    started.add(replica);
    int replicaPort = replica.port();
    try (Jedis r = new Jedis("127.0.0.1", replicaPort)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> r.info("replication").contains("master_link_status:up"));
    }
    String ns = "spooltest-wait-" + UUID.randomUUID().toString().substring(0, 8);
    SharedStateConfig config =
        SharedStateConfig.builder()
            .redisUri("redis://127.0.0.1:" + primary + "/0?wait-replicas=1&wait-timeout=300ms")
            .namespace(ns)
            .build();
    try (RedisState state = RedisState.connect(config);
        Jedis onReplica = new Jedis("127.0.0.1", replicaPort)) {
      SharedValue<String> v = state.value("v", String.class);
      try (LockLease l = state.lock("a").acquire(Duration.ofSeconds(2), LONG)) {
        assertTrue(onReplica.exists(ns + ":lock:a"), "the grant is on the replica when granted");
        v.set("one", l);
        // Read on the replica at once: the write returned only once the replica had it.
        assertEquals("\"one\"", onReplica.get(ns + ":value:v"));
      }

      try (LockLease l = state.lock("b").acquire(Duration.ofSeconds(2), LONG)) {
        SharedTimetable t = state.timetable("periodic");
        java.time.Instant due = java.time.Instant.ofEpochMilli(System.currentTimeMillis() - 1000);
        t.put("nightly", "def", due);
        replica.signal("STOP");
        StateConnectionException e =
            assertThrows(StateConnectionException.class, () -> v.set("two", l));
        assertTrue(
            e.getMessage().contains("acknowledged by 0 of 1 Redis replicas"), e.getMessage());
        assertTrue(e.getMessage().contains("wait-replicas"), e.getMessage());
        // A scheduler's fire too: the next leader would fire again what a failover lost.
        StateConnectionException fire =
            assertThrows(
                StateConnectionException.class,
                () ->
                    t.fire(
                        l,
                        "nightly",
                        "def",
                        due,
                        due.plusSeconds(60),
                        state.schedule("delayed"),
                        "occ-1",
                        "payload",
                        due));
        assertTrue(fire.getMessage().contains("the fire nightly"), fire.getMessage());
      }
      StateConnectionException e =
          assertThrows(
              StateConnectionException.class,
              () -> state.lock("c").acquire(Duration.ofSeconds(2), LONG));
      assertTrue(e.getMessage().contains("the grant of lock 'c'"), e.getMessage());
      assertEquals(Optional.empty(), state.lock("c").holder(), "a refused grant is not held");

      replica.signal("CONT");
      try (LockLease l = state.lock("c").acquire(Duration.ofSeconds(5), LONG)) {
        v.set("three", l);
      }
      assertEquals(Optional.of("three"), v.get());
    }
  }

  @Test
  void badOptions_areRefusedNamingThem() {
    for (String[] bad :
        new String[][] {
          {"redis://h:6379/0?wait-replicas=x", "wait-replicas must be"},
          {"redis://h:6379/0?wait-replicas=17", "wait-replicas must be"},
          {"redis://h:6379/0?wait-replicas=1&wait-timeout=soon", "wait-timeout must be"},
          {"redis://h:6379/0?wiat-replicas=1", "unknown option 'wiat-replicas'"},
          {"redis-sentinel://:pw@h1:26379/m/0?wait-timeout=0s", "wait-timeout must be"}
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> SharedStateConfig.builder().redisUri(bad[0]).namespace("t").build(),
              bad[0]);
      assertTrue(e.getMessage().startsWith("redisUri: " + bad[1]), e.getMessage());
    }
    SharedStateConfig.builder()
        .redisUri("redis-sentinel://:pw@h1:26379,h2:26379/m/0?wait-replicas=1&wait-timeout=2s")
        .namespace("t")
        .build();
  }
}
