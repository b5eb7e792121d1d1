package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SharedDict;
import dev.spool.producer.ChaosTasks.Mark;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workflows run by consumer processes: a chain of 3 whose every step kills its consumer once (kill
 * -9 at each step), and chords of 1,000 members with and without failures.
 */
@ExtendWith(SpoolServicesExtension.class)
final class WorkflowProcessesIT {
  private static final Duration LONG = Duration.ofMinutes(3);
  private SpoolProcesses procs;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void aChainOf3_whoseEveryStepKillsItsConsumerOnce_endsRight_eachStepCountedOnce(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(4, true, "--concurrency", "1");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config());
        RedisState state = env.sharedState()) {
      String id =
          pool.submit(
              Workflow.chain(
                  Workflow.task("crash-once-inc", 1L),
                  Workflow.task("crash-once-inc"),
                  Workflow.task("crash-once-inc")),
              TaskOptions.defaults());
      // The submitter could exit here: the consumers advance the chain.
      assertEquals(4L, spool.result(id).get(Long.class, LONG));
      Map<String, Long> runs = state.dict(ChaosTasks.CRASHES, String.class, Long.class).entries();
      assertEquals(
          Map.of(id + ".1", 2L, id + ".2", 2L, id + ".3", 2L),
          runs,
          "each step died once and ran once more: no step was sent twice");
      assertEquals(TaskState.SUCCEEDED, spool.result(id).state());
      SpoolProcesses.Run status = procs.runProducer("status");
      assertTrue(
          status
              .stdout()
              .matches("(?s).*kept results: 1 task record\\(s\\), .*; workflows: 1, about .*"),
          status.stdout());
      SpoolProcesses.Run result = procs.runProducer("result", id);
      assertEquals(0, result.exit(), result.stderr());
      assertEquals("4", result.stdout().trim(), "a workflow's result by id, like a task's");
    }
  }

  @Test
  void aChordOf1000_callsBackExactlyOnce_withTheResultsInOrder(SpoolTestEnv env, TestInfo info)
      throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true, "--concurrency", "8");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config());
        RedisState state = env.sharedState()) {
      List<Workflow> members = new ArrayList<>();
      for (long i = 0; i < 1000; i++) members.add(Workflow.task("mark", new Mark(i, 0)));
      long t0 = System.nanoTime();
      String id =
          pool.submit(
              Workflow.chord(Workflow.group(members), Workflow.task("tally")),
              TaskOptions.defaults());
      assertEquals(499_500L, spool.result(id).get(Long.class, LONG));
      System.out.printf(
          "chord of 1,000 on 2 consumers: callback result after %.2f s%n",
          (System.nanoTime() - t0) / 1e9);
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      assertEquals(1L, runs.get(-1L).orElseThrow(), "the callback ran once");
      assertEquals(1001, runs.size(), "every member ran");
    }
  }

  @Test
  void aChordOf1000_with5Failures_failsAtOnceWithTheFirstError_andNeverCallsBack(
      SpoolTestEnv env, TestInfo info) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(2, true, "--concurrency", "8", "--retry", "fail=1");
    try (TaskPool pool = SpoolProcesses.pool(env, LONG);
        Spool spool = Spool.connect(env.config());
        RedisState state = env.sharedState()) {
      List<Integer> positions = new ArrayList<>();
      for (int i = 0; i < 1000; i++) positions.add(i);
      Collections.shuffle(positions, new Random(42));
      Set<Integer> failing = new HashSet<>(positions.subList(0, 5));
      List<Workflow> members = new ArrayList<>();
      for (long i = 0; i < 1000; i++) {
        members.add(
            failing.contains((int) i)
                ? Workflow.task("fail", "member " + i + " failed")
                : Workflow.task("mark", new Mark(i, 20)));
      }
      long t0 = System.nanoTime();
      String id =
          pool.submit(
              Workflow.chord(Workflow.group(members), Workflow.task("tally")),
              TaskOptions.defaults());
      TaskStatus s = spool.result(id).await(LONG);
      double failedAfter = (System.nanoTime() - t0) / 1e9;
      assertEquals(TaskState.FAILED, s.state());
      assertTrue(
          s.error()
              .messageOrEmpty()
              .matches("step " + id + "\\.\\d+ \\('fail'\\) failed: member \\d+ failed"),
          "the error names the step that failed the chord: " + s.error());
      SharedDict<Long, Long> runs = state.dict(ChaosTasks.RUNS, Long.class, Long.class);
      long ranBeforeTheEnd = runs.size();
      System.out.printf(
          "chord of 1,000 with 5 failing members: failed after %.2f s, with %d of 995 other"
              + " members run%n",
          failedAfter, ranBeforeTheEnd);
      assertTrue(ranBeforeTheEnd < 995, "failed before the members were done: " + ranBeforeTheEnd);
      await().atMost(LONG).until(() -> runs.size() >= 995); // the rest run out
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(10))
          .until(() -> runs.get(-1L).isEmpty());
      assertEquals(TaskState.FAILED, spool.result(id).state(), "it stays failed");
    }
  }
}
