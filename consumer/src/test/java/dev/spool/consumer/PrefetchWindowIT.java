package dev.spool.consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spool.core.wire.TaskResult;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A consumer with no prefetch set widens its window while its tasks are short and narrows it when
 * they are long (PrefetchTuner), as the broker sees it: the consumer's prefetch count in the
 * management API. With a prefetch set, the window never changes.
 */
@ExtendWith(SpoolServicesExtension.class)
final class PrefetchWindowIT {
  // The management API of a broker just started in a container may refuse for a while after its
  // AMQP port answers: the waits on it ignore exceptions until then.
  private static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  void unset_shortTasksWiden_longTasksNarrowAgain_everyResultOnce(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer = f.start(ConsumerConfig.builder().concurrency(4).build())) {
      int narrow = ConsumerConfig.defaultPrefetch(4), wide = ConsumerConfig.widePrefetch(4);
      assertEquals(32, narrow);
      assertEquals(128, wide);
      awaitWindow(env, f.queue, narrow);

      List<String> ids = publishSquares(f, 4000);
      Map<String, TaskResult> results = f.awaitResults(ids.size());
      assertEveryResult(f, ids, results);
      // the tuner looks every 500 ms; a busy machine may spread the map over several looks
      awaitWindow(env, f.queue, wide);

      // 3 s of slow tasks: the window narrows while some run and more are delivered, under a
      // new consumer tag (RabbitMQ 3.10.8 closed the connection when the old one was taken again)
      List<String> slow = new ArrayList<>();
      for (int i = 0; i < 200; i++) slow.add(f.publish("sleep", "60"));
      Map<String, TaskResult> all = f.awaitResults(ids.size() + slow.size());
      slow.forEach(id -> assertTrue(all.get(id).ok(), id));
      awaitWindow(env, f.queue, narrow);
      assertEquals(ids.size() + slow.size(), consumer.stats().succeeded(), "each task ran once");
    }
  }

  @Test
  void unset_longTasksAfterAShortBurst_goBackUnstarted_andAnotherConsumerRunsThem(SpoolTestEnv env)
      throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer first = f.start(ConsumerConfig.builder().concurrency(4).build())) {
      int wide = ConsumerConfig.widePrefetch(4);
      List<String> ids = publishSquares(f, 4000);
      f.awaitResults(ids.size());
      awaitWindow(env, f.queue, wide);

      // 100 tasks of a second: the wide window takes them all, 4 run. Once one has run 500 ms the
      // window narrows and the 96 not started go back; a consumer that held them would run them
      // 4 at a time for 25 s while the second one idled.
      List<String> slow = new ArrayList<>();
      for (int i = 0; i < 100; i++) slow.add(f.publish("sleep", "1000"));
      await().atMost(WAIT).until(() -> first.stats().handedBack() >= 30);
      try (SpoolConsumer second = f.start(ConsumerConfig.builder().concurrency(16).build())) {
        Map<String, TaskResult> all = f.awaitResults(ids.size() + slow.size());
        slow.forEach(id -> assertTrue(all.get(id).ok(), id));
        assertEquals(ids.size() + slow.size(), f.seen.size(), "one result per task, none twice");
        long ranThere = second.stats().succeeded();
        assertTrue(ranThere >= 30, "the second consumer ran " + ranThere + " of the 100");
        assertEquals(
            ids.size() + slow.size(),
            first.stats().succeeded() + ranThere,
            "each task ran once, handed back or not");
      }
    }
  }

  @Test
  void set_shortTasks_windowStays(SpoolTestEnv env) throws Exception {
    ConsumerFixture f = new ConsumerFixture(env);
    try (SpoolConsumer consumer =
        f.start(ConsumerConfig.builder().concurrency(4).prefetch(40).build())) {
      awaitWindow(env, f.queue, 40);
      List<String> ids = publishSquares(f, 4000);
      assertEveryResult(f, ids, f.awaitResults(ids.size()));
      // ten of the tuner's looks, had it been on: the window stays 40 through all of them
      await()
          .during(Duration.ofSeconds(5))
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> brokerPrefetch(env, f.queue).equals(List.of(40)));
      assertEquals(ids.size(), consumer.stats().succeeded());
    }
  }

  private static List<String> publishSquares(ConsumerFixture f, int n) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(f.publish("square", Integer.toString(i)));
    return ids;
  }

  private static void assertEveryResult(
      ConsumerFixture f, List<String> ids, Map<String, TaskResult> results) {
    for (int i = 0; i < ids.size(); i++) {
      TaskResult r = results.get(ids.get(i));
      assertTrue(r != null && r.ok(), "task " + i);
      assertEquals(
          Long.toString((long) i * i), new String(r.body(), StandardCharsets.UTF_8), "task " + i);
    }
    assertEquals(ids.size(), f.seen.size(), "one result per task, none twice");
  }

  /** Waits until {@code queue} has one consumer, with prefetch {@code window}. */
  private static void awaitWindow(SpoolTestEnv env, String queue, int window) {
    await()
        .ignoreExceptions()
        .atMost(WAIT)
        .until(() -> brokerPrefetch(env, queue).equals(List.of(window)));
  }

  /** The prefetch counts of the consumers of {@code queue}, as the broker reports them. */
  private static List<Integer> brokerPrefetch(SpoolTestEnv env, String queue) throws Exception {
    var uri = env.config().amqpUri();
    String[] user = uri.getUserInfo().split(":", 2);
    var url = env.managementUri().resolve("/api/consumers").toURL();
    HttpURLConnection c = (HttpURLConnection) url.openConnection(Proxy.NO_PROXY);
    c.setRequestProperty(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    (java.net.URLDecoder.decode(user[0], StandardCharsets.UTF_8)
                            + ":"
                            + java.net.URLDecoder.decode(user[1], StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8)));
    c.setConnectTimeout(5000);
    c.setReadTimeout(10000);
    List<Integer> counts = new ArrayList<>();
    try (InputStream in = c.getInputStream()) {
      for (JsonNode n : new ObjectMapper().readTree(in)) {
        if (queue.equals(n.path("queue").path("name").asText())) {
          counts.add(n.path("prefetch_count").asInt());
        }
      }
    }
    return counts;
  }
}
