package dev.spool.producer.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
import dev.spool.SpoolException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The management API as {@code status} and the dashboard read it, against the real broker. */
@ExtendWith(SpoolServicesExtension.class)
final class ManagementApiIT {
  /** The test broker's management API, with its credentials. */
  private static ManagementApi api(SpoolTestEnv env) {
    return ManagementApi.forConfig(
        env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
  }

  @Test
  void queues_areTheNamespacesAlone_fromEveryPage_sortedByName(SpoolTestEnv env) throws Exception {
    String ns = env.namespace();
    Channel ch = env.connection().createChannel();
    List<String> mine = new ArrayList<>();
    for (int i = 4; i >= 0; i--) mine.add(0, env.track(ns + ".q" + i));
    for (String q : mine) ch.queueDeclare(q, false, false, false, Map.of());
    // names that share the namespace's letters but not its "ns." prefix
    for (String other : List.of(ns + "x.q", ns + "_q", "x" + ns + ".q")) {
      ch.queueDeclare(env.track(other), false, false, false, Map.of());
    }
    ManagementApi api = api(env);
    for (int pageSize : new int[] {2, 5, ManagementApi.PAGE_SIZE}) {
      List<String> names =
          api.queues("/", ns + ".", pageSize).stream().map(q -> q.path("name").asText()).toList();
      assertEquals(mine, names, "pages of " + pageSize);
    }
    List<JsonNode> none = api.queues("/", ns + "-none.");
    assertEquals(List.of(), none);
  }

  @Test
  void queues_aWrongPassword_saysWhoWasRefusedAndWhatToSet(SpoolTestEnv env) {
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(),
            Map.of(
                "SPOOL_MANAGEMENT_URI", env.managementUri().toString(),
                "SPOOL_MANAGEMENT_USER", "guest",
                "SPOOL_MANAGEMENT_PASSWORD", "not-the-password"),
            null);
    SpoolException e = assertThrows(SpoolException.class, () -> api.queues("/", "x."));
    assertTrue(e.getMessage().contains("refused user 'guest' (401)"), e.getMessage());
    assertTrue(e.getMessage().contains("SPOOL_MANAGEMENT_PASSWORD"), e.getMessage());
    // the connection the 401 left is still good for the next request
    assertEquals(List.of(), api(env).queues("/", env.namespace() + "-none."));
  }

  @Test
  void queues_nothingListening_saysConnectionRefusedAndHowToEnableIt(SpoolTestEnv env)
      throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort(); // free once closed
    }
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", "http://127.0.0.1:" + port), null);
    SpoolConnectionException e =
        assertThrows(SpoolConnectionException.class, () -> api.queues("/", "x."));
    assertTrue(e.getMessage().contains("(connection refused)"), e.getMessage());
    assertTrue(e.getMessage().contains("rabbitmq-plugins enable rabbitmq_management"));
  }

  @Test
  void queues_anUnknownVhost_saysToCheckIt(SpoolTestEnv env) {
    ManagementApi api = api(env);
    SpoolException e =
        assertThrows(SpoolException.class, () -> api.queues("no-such-vhost-here", "x."));
    assertTrue(e.getMessage().contains("(404); check the vhost"), e.getMessage());
  }

  @Test
  void quote_escapesWhatARegexWouldReadAsSyntax() {
    assertEquals("spool\\.", ManagementApi.quote("spool."));
    assertEquals("a\\-b\\_c\\.", ManagementApi.quote("a-b_c."));
    assertEquals("\\^\\$\\(\\)\\[\\]\\*\\+\\?\\{\\}\\|\\\\", ManagementApi.quote("^$()[]*+?{}|\\"));
  }
}
