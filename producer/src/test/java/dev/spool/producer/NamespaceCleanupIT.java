package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.Topology;
import dev.spool.producer.internal.NamespaceCleanup;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What bin/spool-aot and the benchmark leave behind is deleted: the namespace's queues and its
 * Redis keys, and nothing of another namespace.
 */
@ExtendWith(SpoolServicesExtension.class)
final class NamespaceCleanupIT {
  @Test
  void delete_removesTheNamespacesQueuesAndKeys_andLeavesAnotherNamespaceAlone(SpoolTestEnv env)
      throws Exception {
    SpoolConfig config = env.config();
    try (TaskPool pool = TestSpools.pool(config)) {
      pool.submit(
          "square", 3L, TaskOptions.defaults()); // declares the work queues; the task waits there
    }
    String extra = env.track(config.namespace() + ".extra");
    env.connection().openChannel().orElseThrow().queueDeclare(extra, true, false, false, null);
    env.jedis().set(config.namespace() + ":left-behind", "1");
    String neighbour = config.namespace() + "x:kept"; // another namespace that shares the prefix
    env.jedis().set(neighbour, "1");
    try {
      String work = new Topology(config).workQueue(Topology.DEFAULT_QUEUE);
      assertTrue(env.queueExists(work));

      assertEquals(List.of(), NamespaceCleanup.delete(config, List.of(extra)));

      for (String q : new Topology(config).queuesOf(Topology.DEFAULT_QUEUE)) {
        assertFalse(env.queueExists(q), q);
      }
      assertFalse(env.queueExists(extra));
      assertEquals(0, env.jedis().keys(config.namespace() + ":*").size());
      assertEquals("1", env.jedis().get(neighbour));
    } finally {
      env.jedis().del(neighbour);
    }
  }
}
