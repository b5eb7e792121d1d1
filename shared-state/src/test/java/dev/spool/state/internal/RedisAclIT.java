package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.LockLease;
import dev.spool.SharedStateException;
import dev.spool.state.SharedStateConfig;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/** Shared state as a least-privilege Redis ACL user: its namespace's keys and channel only. */
@ExtendWith(StateServicesExtension.class)
final class RedisAclIT {
  @Test
  void aclUserLimitedToTheNamespace_runsEverySharedObjectAndLock_andNothingElse(StateTestEnv env) {
    String user = env.namespace() + "-app";
    String password = "pw-" + env.namespace();
    URI base = env.redisUri();
    try (Jedis admin = env.jedis()) {
      admin.aclSetUser(
          user,
          "reset",
          "on",
          ">" + password,
          "~" + env.namespace() + ":*",
          "&" + env.namespace() + ":*",
          "+@all",
          "-@dangerous");
      try {
        String uri =
            "redis://%s:%s@%s:%d/0".formatted(user, password, base.getHost(), base.getPort());
        try (RedisState state =
            RedisState.connect(
                SharedStateConfig.builder().redisUri(uri).namespace(env.namespace()).build())) {
          state.dict("d", String.class, Long.class).put("a", 1L);
          assertEquals(3, state.dict("d", String.class, Long.class).increment("a", 2));
          state.list("l", String.class).append("x");
          assertEquals(1, state.counter("c").incrementAndGet());
          try (LockLease lease =
              state.lock("l").acquire(Duration.ofSeconds(2), Duration.ofSeconds(10))) {
            state.value("v", String.class).set("fenced", lease);
          }
          assertTrue(state.value("v", String.class).get().isPresent());

          try (RedisState other =
              RedisState.connect(
                  SharedStateConfig.builder().redisUri(uri).namespace("elsewhere").build())) {
            SharedStateException e =
                assertThrows(
                    SharedStateException.class,
                    () -> other.dict("d", String.class, Long.class).put("a", 1L));
            assertTrue(e.getMessage().contains("NOPERM"), e.getMessage());
          }
        }
        assertThrows(
            SharedStateException.class,
            () -> {
              String bad =
                  "redis://%s:wrong@%s:%d/0".formatted(user, base.getHost(), base.getPort());
              try (RedisState s =
                  RedisState.connect(
                      SharedStateConfig.builder()
                          .redisUri(bad)
                          .namespace(env.namespace())
                          .build())) {
                s.ping();
              }
            });
      } finally {
        admin.aclDelUser(user);
      }
    }
  }
}
