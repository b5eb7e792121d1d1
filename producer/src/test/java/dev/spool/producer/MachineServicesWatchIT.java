package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import dev.spool.testing.services.MachineServicesWatch;
import dev.spool.testing.services.OwnServices;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The watch that {@link MachineServicesUntouchedIT} relies on, pointed at services of this test's
 * own and then harmed on purpose: it must see a memory alarm, a frozen Redis and cut connections,
 * or its silence about the machine's services would prove nothing.
 */
@ExtendWith(SpoolServicesExtension.class)
@OwnServices
final class MachineServicesWatchIT {
  @Test
  void watch_alarmFreezeAndCut_eachReported(SpoolTestEnv env) throws Exception {
    URI amqp = env.config().amqpUri();
    URI redis = env.config().redisUri();
    MachineServicesWatch watch = MachineServicesWatch.watch(amqp, redis);
    try {
      assertNull(watch.notWatched());
      await().atMost(Duration.ofSeconds(30)).until(() -> watch.pings() > 2);
      assertEquals(List.of(), watch.harms(), "nothing done yet");

      env.faults().raiseMemoryAlarm();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> joined(watch).contains("blocked publishing"));
      } finally {
        env.faults().clearMemoryAlarm();
      }

      env.faults().pauseRedis();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> joined(watch).contains("did not answer a PING"));
      } finally {
        env.faults().resumeRedis();
      }

      env.faults().closeAllConnections();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> joined(watch).contains("closed the watch's connection"));
      assertTrue(watch.harms().size() >= 3, String.join("\n", watch.harms()));
    } finally {
      watch.close();
    }
  }

  private static String joined(MachineServicesWatch watch) {
    return String.join("\n", watch.harms());
  }
}
