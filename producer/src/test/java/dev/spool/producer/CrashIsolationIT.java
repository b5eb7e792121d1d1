package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.DeadLetter;
import dev.spool.core.TaskFailedException;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A task that kills its consumer's JVM, queued among innocent ones, against consumer processes
 * restarted by a supervisor as compose would: the killer alone is dead-lettered, as {@code
 * crashed}, after its consumer died while it ran alone; every innocent task runs and none is
 * dead-lettered.
 */
@ExtendWith(SpoolServicesExtension.class)
final class CrashIsolationIT {
  private static final Duration LONG = Duration.ofMinutes(3);
  private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor();
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    supervisor.shutdownNow();
    if (procs != null) procs.close();
  }

  /** Restarts every consumer that died, as a supervisor would; counts the restarts. */
  private AtomicInteger supervise(List<Process> consumers, String... args) {
    AtomicInteger restarts = new AtomicInteger();
    supervisor.scheduleWithFixedDelay(
        () -> {
          for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i).isAlive()) continue;
            try {
              consumers.set(
                  i,
                  procs.startConsumer(
                      "consumer-" + i + "-r" + restarts.incrementAndGet(), true, Map.of(), args));
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
    return restarts;
  }

  @Test
  void aTaskThatKillsItsConsumer_amongInnocents_aloneIsDeadLettered_asCrashed(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String[] args = {"--concurrency", "4"};
    List<Process> consumers = new ArrayList<>(procs.startConsumers(2, true, args));
    AtomicInteger restarts = supervise(consumers, args);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      List<CompletableFuture<Long>> innocents = new ArrayList<>();
      CompletableFuture<String> killer = null;
      for (long i = 0; i < 35; i++) {
        innocents.add(pool.applyAsync("mark", new Mark(i, 100), Long.class));
        if (i == 10) killer = pool.applyAsync("halt", "bye", String.class);
      }
      for (int i = 0; i < innocents.size(); i++) {
        assertEquals(i, innocents.get(i).get(LONG.toSeconds(), TimeUnit.SECONDS), "innocent " + i);
      }
      CompletableFuture<String> k = killer;
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> k.get(1, TimeUnit.MINUTES));
      TaskFailedException failed = assertInstanceOf(TaskFailedException.class, e.getCause());
      assertEquals("crashed", failed.remote().deadLetter(), failed.getMessage());

      List<DeadLetter> dead;
      try (DeadLetters letters = TestSpools.connect(env).deadLetters("tasks")) {
        await().atMost(LONG).until(() -> letters.count() >= 1);
        dead = letters.list(100);
      }
      assertEquals(1, dead.size(), "the killer alone: " + dead);
      assertEquals("halt", dead.getFirst().taskName());
      assertEquals(DeadLetter.Reason.CRASHED, dead.getFirst().reason());
      assertTrue(dead.getFirst().error().message().contains("ran alone"));
      // Its first run was beside others (nobody knew), then twice alone.
      assertEquals(3, restarts.get(), "consumers killed by the task");
      Map<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class).entries();
      assertEquals(35, runs.size(), "every innocent ran");
    }
    supervisor.shutdownNow();
    supervisor.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void aChordWithAMemberThatKillsItsConsumer_failsAsCrashed_itsOtherMembersAllRun(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    String[] args = {"--concurrency", "4"};
    List<Process> consumers = new ArrayList<>(procs.startConsumers(2, true, args));
    supervise(consumers, args);
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        RedisState state = env.sharedState()) {
      List<Workflow> members = new ArrayList<>();
      for (long i = 0; i < 20; i++) {
        members.add(Workflow.task("mark", new Mark(i, 100)));
        if (i == 5) members.add(Workflow.task("halt", "bye"));
      }
      String id =
          pool.submit(
              Workflow.chord(Workflow.group(members), Workflow.task("tally")),
              TaskOptions.defaults());
      TaskStatus s = pool.result(id).await(LONG);
      assertEquals(TaskState.FAILED, s.state());
      assertEquals("crashed", s.error().deadLetter(), s.error().toString());
      var runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      await().atMost(LONG).until(() -> runs.size() >= 20); // every member but the killer runs
      try (DeadLetters letters = TestSpools.connect(env).deadLetters("tasks")) {
        assertEquals(1, letters.count(), "the killer alone is dead-lettered");
        assertEquals(DeadLetter.Reason.CRASHED, letters.list(10).getFirst().reason());
      }
      assertTrue(runs.get(-1L).isEmpty(), "the callback never ran");
    }
  }
}
