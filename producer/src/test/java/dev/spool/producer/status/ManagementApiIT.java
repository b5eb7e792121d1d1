package dev.spool.producer.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Channel;
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
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
    for (int pageSize : new int[] {2, 5, ManagementApi.PAGE_SIZE}) {
      List<String> names =
          api.queues("/", ns + ".", pageSize).stream().map(q -> q.path("name").asText()).toList();
      assertEquals(mine, names, "pages of " + pageSize);
    }
    List<JsonNode> none = api.queues("/", ns + "-none.");
    assertEquals(List.of(), none);
  }

  @Test
  void quote_escapesWhatARegexWouldReadAsSyntax() {
    assertEquals("spool\\.", ManagementApi.quote("spool."));
    assertEquals("a\\-b\\_c\\.", ManagementApi.quote("a-b_c."));
    assertEquals("\\^\\$\\(\\)\\[\\]\\*\\+\\?\\{\\}\\|\\\\", ManagementApi.quote("^$()[]*+?{}|\\"));
  }
}
