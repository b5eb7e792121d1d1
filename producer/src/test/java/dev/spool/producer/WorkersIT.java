package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.producer.status.WorkerReport;
import dev.spool.producer.status.Workers;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The workers list against consumer processes: each lists itself with what it runs, answers a ping,
 * leaves the list at once when stopped cleanly and within the heartbeat's ttl when killed.
 */
@ExtendWith(SpoolServicesExtension.class)
final class WorkersIT {
  private static final Duration LONG = Duration.ofMinutes(2);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void workers_listRunningTasks_pingAnswered_killedWorkerLeavesWithinTtl(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    List<Process> consumers = procs.startConsumers(2, false, "--concurrency", "2");
    Set<String> ids =
        consumers.stream().map(p -> "/" + p.pid()).collect(Collectors.toUnmodifiableSet());
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      Workers workers = new Workers(state);
      List<WorkerReport> alive = workers.alive();
      assertEquals(2, alive.size(), alive.toString());
      for (WorkerReport w : alive) {
        assertTrue(ids.stream().anyMatch(w.id()::endsWith), w.id() + " is one of " + ids);
        assertEquals("running", w.state());
        assertEquals("up", w.rabbitmq());
        assertEquals(2, w.concurrency());
        assertTrue(w.tasks().contains("sleep"), w.tasks().toString());
      }

      // One long task: exactly one worker lists it as running, with its id and name.
      String slow =
          pool.submit("sleep", 8000L, TaskOptions.defaults().withKeepResult(Duration.ofMinutes(5)));
      await()
          .atMost(LONG)
          .until(() -> workers.alive().stream().mapToInt(w -> w.active().size()).sum() == 1);
      SpoolProcesses.Run active = procs.runProducer("inspect", "active");
      assertEquals(0, active.exit(), active.stderr());
      assertTrue(active.stdout().contains(slow + "  sleep  attempt 1"), active.stdout());

      SpoolProcesses.Run ping = procs.runProducer("ping");
      assertEquals(0, ping.exit(), ping.stderr());
      assertEquals(2, ping.stdout().lines().filter(l -> l.contains(": pong in ")).count());

      SpoolProcesses.Run list = procs.runProducer("workers");
      assertEquals(0, list.exit(), list.stderr());
      assertEquals(3, list.stdout().lines().count(), list.stdout()); // a header and two workers

      // Killed: answers no ping, and leaves the list within the ttl (10 s).
      Process killed = consumers.get(1);
      killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      long killedAt = System.nanoTime();
      Workers.Pong pong = workers.ping(Duration.ofMillis(1500));
      assertEquals(1, pong.answered().size(), pong.toString());
      assertTrue(pong.silent().iterator().next().endsWith("/" + killed.pid()), pong.toString());
      long beforeMs = (System.nanoTime() - killedAt) / 1_000_000;
      SpoolProcesses.Run pingAfter = procs.runProducer("ping", "--timeout", "1s");
      long afterMs = (System.nanoTime() - killedAt) / 1_000_000;
      if (afterMs < 9_000) { // within the ttl (10 s): the dead worker is still listed
        assertEquals(1, pingAfter.exit(), "a listed worker did not answer: " + pingAfter.stdout());
        assertTrue(pingAfter.stdout().contains("no answer within"), pingAfter.stdout());
      } else if (beforeMs > 11_000) { // a loaded machine started the command late: it has left
        assertFalse(pingAfter.stdout().contains("/" + killed.pid()), pingAfter.stdout());
      } // else the ttl ran out while the command ran: either answer is right
      await().atMost(Duration.ofSeconds(15)).until(() -> workers.alive().size() == 1);
      long goneMs = (System.nanoTime() - killedAt) / 1_000_000;
      assertTrue(goneMs <= 12_000, "left the list " + goneMs + " ms after being killed");
      System.out.printf("a killed worker left the list %d ms after the kill%n", goneMs);

      // Stopped cleanly: leaves at once, and no key is left behind.
      assertEquals(8000L, pool.result(slow).get(Long.class, LONG));
      assertEquals(0, procs.runProducer("stop").exit());
      assertTrue(consumers.get(0).waitFor(60, TimeUnit.SECONDS));
      assertEquals(List.of(), workers.alive());
      try (var jedis = env.jedis()) {
        assertEquals(Set.of(), jedis.keys(env.namespace() + ":worker*"));
        assertEquals(Set.of(), jedis.keys(env.namespace() + ":pong*"));
      }
    }
  }
}
