package dev.spool.state.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.LockLease;
import dev.spool.SharedDict;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Shared state through Redis Sentinel: a real Sentinel process (redis-server --sentinel) that
 * monitors the test's Redis; Spool finds the primary through it.
 */
@ExtendWith(StateServicesExtension.class)
final class SentinelIT {
  @Test
  void sharedStateAndLocks_throughASentinelUri_reachThePrimaryItNames(
      StateTestEnv env, @TempDir Path dir) throws Exception {
    URI redis = env.redisUri();
    String host = redis.getHost().equals("localhost") ? "127.0.0.1" : redis.getHost();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String master = "spool-" + env.namespace();
    Path conf = dir.resolve("sentinel.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "port " + port,
            "bind 127.0.0.1",
            "dir " + dir,
            "sentinel monitor " + master + " " + host + " " + redis.getPort() + " 1",
            "sentinel down-after-milliseconds " + master + " 60000",
            ""));
    Process sentinel =
        new ProcessBuilder(
                dev.spool.testing.services.RedisProcess.binary(), conf.toString(), "--sentinel")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sentinel.log").toFile())
            .start();
    try (Jedis ask = new Jedis("127.0.0.1", port)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(() -> ask.sentinelGetMasterAddrByName(master).size() == 2);

      String uri = "redis-sentinel://127.0.0.1:" + port + "," + "127.0.0.1:1/" + master + "/0";
      SharedStateConfig config =
          SharedStateConfig.builder().redisUri(uri).namespace(env.namespace()).build();
      try (RedisState state = RedisState.connect(config)) {
        state.ping();
        SharedDict<String, Long> d = state.dict("through-sentinel", String.class, Long.class);
        d.put("a", 7L);
        assertEquals(java.util.Optional.of(7L), d.get("a"));
        try (LockLease lease =
            state.lock("through-sentinel").acquire(Duration.ofSeconds(2), Duration.ofSeconds(30))) {
          assertTrue(lease.isHeld());
          state.value("v", String.class).set("fenced", lease);
        }
        assertEquals(java.util.Optional.of("fenced"), state.value("v", String.class).get());
      }
      // The same data on the primary itself: the Sentinel URI led to the test's Redis.
      try (RedisState direct = StateFixture.state(env)) {
        assertEquals(
            java.util.Optional.of(7L),
            direct.dict("through-sentinel", String.class, Long.class).get("a"));
      }
    } finally {
      sentinel.destroy();
    }
  }

  @Test
  void sentinelUri_malformed_refusedNamingTheSettingWithoutThePassword() {
    for (String uri :
        List.of(
            "redis-sentinel://:s3cret@h1:26379,h2:x/master",
            "redis-sentinel://:s3cret@h1:26379",
            "redis-sentinel://:s3cret@/master")) {
      IllegalArgumentException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalArgumentException.class,
              () -> SharedStateConfig.builder().redisUri(uri).namespace("t").build(),
              uri);
      assertTrue(e.getMessage().startsWith("redisUri:"), e.getMessage());
      assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
    SharedStateConfig ok =
        SharedStateConfig.builder()
            .redisUri("redis-sentinel://:s3cret@h1:26379,h2:26380/mymaster/2")
            .namespace("t")
            .build();
    assertEquals("redis-sentinel://:***@h1:26379,h2:26380/mymaster/2", ok.redisUriRedacted());
  }
}
