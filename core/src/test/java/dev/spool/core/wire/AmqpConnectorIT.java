package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Connecting to a list of broker nodes, some of which do not answer. */
@ExtendWith(SpoolServicesExtension.class)
final class AmqpConnectorIT {
  /** The test broker's URI with a node that never answers (port 1) added to its host list. */
  private static String withDeadNode(URI live) {
    String auth = live.getRawAuthority();
    String info = live.getRawUserInfo();
    String hostPort = auth.substring(auth.indexOf('@') + 1);
    return live.toString()
        .replace(auth, (info == null ? "" : info + "@") + "127.0.0.1:1," + hostPort);
  }

  @Test
  void open_oneNodeOfTwoDown_connectsToTheLiveOneWhicheverComesFirst(SpoolTestEnv env) {
    SpoolConfig config =
        env.config().toBuilder().amqpUri(withDeadNode(env.config().amqpUri())).build();
    assertTrue(config.amqpAddresses().contains("127.0.0.1:1"), config.amqpAddresses().toString());
    for (int i = 0; i < 6; i++) { // the order is shuffled: both orders get tried
      try (Connection c = new AmqpConnector(config).open("spool-test-nodes")) {
        assertTrue(c.isOpen());
        assertTrue(c.getPort() != 1);
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void open_everyNodeDown_oneErrorNamingThemAllWithoutThePassword(SpoolTestEnv env) {
    SpoolConfig config =
        SpoolConfig.builder().amqpUri("amqp://app:s3cret@127.0.0.1:1,127.0.0.1:2/%2F").build();
    SpoolConnectionException e =
        assertThrows(
            SpoolConnectionException.class, () -> new AmqpConnector(config).open("spool-test"));
    assertTrue(e.getMessage().contains("127.0.0.1:1,127.0.0.1:2"), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }
}
