package dev.spool.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import dev.spool.testing.services.ServiceEndpoints;
import dev.spool.testing.services.ServicesExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

@ExtendWith(SpoolServicesExtension.class)
final class SpoolServicesExtensionIT {
  @Test
  void env_givesFreshNamespaceAndWorkingServices(SpoolTestEnv env) throws Exception {
    assertTrue(env.namespace().startsWith("spooltest-"), env.namespace());
    assertTrue(env.connection().isOpen());
    try (Jedis jedis = env.jedis()) {
      assertEquals("PONG", jedis.ping());
    }
  }

  @Test
  void cleanup_removesTheNamespacesQueuesAndKeys(SpoolTestEnv env) throws Exception {
    String queue = env.workQueue("extra");
    try (Channel ch = env.connection().createChannel()) {
      ch.queueDeclare(queue, true, false, false, Map.of());
    }
    String other = "spooltest-other:keep";
    try (Jedis jedis = env.jedis()) {
      jedis.set(env.namespace() + ":a", "1");
      jedis.set(env.namespace() + ":b", "2");
      jedis.set(other, "3");
    }
    assertTrue(env.queueExists(queue));

    assertEquals(2, env.cleanup());

    SpoolTestEnv probe =
        new SpoolTestEnv(
            new ServiceEndpoints(
                env.config().amqpUri(),
                env.config().redisUri(),
                env.managementUri(),
                env.source(),
                env.faults()),
            env.namespace());
    assertFalse(probe.queueExists(queue));
    try (Jedis jedis = env.jedis()) {
      assertFalse(jedis.exists(env.namespace() + ":a"));
      assertTrue(jedis.exists(other), "a key outside the namespace must survive");
      jedis.del(other);
    }
    probe.cleanup();
  }

  @Test
  void namespaces_differBetweenCalls() {
    assertNotEquals(ServicesExtension.newNamespace(), ServicesExtension.newNamespace());
  }
}
