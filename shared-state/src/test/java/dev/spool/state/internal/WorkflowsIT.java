package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.state.internal.Workflows.Node;
import dev.spool.state.internal.Workflows.Step;
import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class WorkflowsIT {
  private static final Duration DAY = Duration.ofDays(1);

  private static final java.time.Instant LATER = java.time.Instant.now().plusSeconds(3600);

  @Test
  void aWorkflowWhoseSubmitterStoppedBeforeItsFirstStepsWereConfirmed_readsFailed_notPending(
      StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      List<Node> chain =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 2)),
              new Node("task", "inc", "1", 0, 0, List.of()),
              new Node("task", "inc", null, 0, 1, List.of()));
      w.create("gone-1", chain, DAY, java.time.Instant.now().minusSeconds(1));
      TaskRecords.Record r = state.taskRecords().read("gone-1").orElseThrow();
      assertEquals("failed", r.state(), "past its abandon time with no first step confirmed");
      assertTrue(r.error().contains("its submitter stopped"), r.error());
      assertTrue(r.ttl().compareTo(Duration.ofHours(23)) > 0, "and kept as long as any");
      assertFalse(w.submitted("gone-1"), "too late to start it");
      Workflows.Completion late = w.complete("gone-1", 1, "2", false, DAY);
      assertTrue(late.ended());
      assertEquals(List.of(), late.next(), "a step that ran late is not advanced");
      assertEquals("failed", state.taskRecords().read("gone-1").orElseThrow().state());

      w.create("ok-1", chain, DAY, LATER);
      assertEquals("pending", state.taskRecords().read("ok-1").orElseThrow().state());
      assertTrue(w.submitted("ok-1"));
      assertEquals(
          List.of(new Step(2, "inc", "2", null)), w.complete("ok-1", 1, "2", false, DAY).next());

      // A first step that ends before its submitter says so starts it all the same.
      w.create("fast-1", chain, DAY, LATER);
      assertEquals(
          List.of(new Step(2, "inc", "2", null)), w.complete("fast-1", 1, "2", false, DAY).next());
      assertTrue(w.submitted("fast-1"));
      assertTrue(w.fail("fast-1", 1, "{\"type\":\"x\"}", DAY), "running: it can fail");
    }
  }

  @Test
  void aChain_passesEachResultOn_andCountsAStepOnce(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      List<Node> chain =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 2, 3)),
              new Node("task", "inc", "1", 0, 0, List.of()),
              new Node("task", "inc", null, 0, 1, List.of()),
              new Node("task", "inc", null, 0, 2, List.of()));
      assertEquals(List.of(new Step(1, "inc", "1", null)), w.create("c-1", chain, DAY, LATER));
      assertEquals("pending", state.taskRecords().read("c-1").orElseThrow().state());

      Workflows.Completion one = w.complete("c-1", 1, "2", false, DAY);
      assertTrue(one.counted());
      assertEquals(List.of(new Step(2, "inc", "2", null)), one.next());
      assertEquals("started", state.taskRecords().read("c-1").orElseThrow().state());
      Workflows.Completion again = w.complete("c-1", 1, "2", false, DAY);
      assertFalse(again.counted(), "a step that ran twice is counted once");
      assertEquals(List.of(), again.next());
      assertEquals(
          List.of(new Step(2, "inc", "2", null)),
          w.complete("c-1", 1, "2", true, DAY).next(),
          "a redelivered step gets back what its end sent, to send again");

      assertEquals(
          List.of(new Step(3, "inc", "3", null)), w.complete("c-1", 2, "3", false, DAY).next());
      Workflows.Completion last = w.complete("c-1", 3, "4", false, DAY);
      assertTrue(last.ended());
      TaskRecords.Record r = state.taskRecords().read("c-1").orElseThrow();
      assertEquals("succeeded", r.state());
      assertEquals("4", r.result());
    }
  }

  @Test
  void aChord_callsBackOnceWithTheResultsInOrder_andAFailureEndsItAtOnce(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      List<Node> chord =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 5)),
              new Node("group", null, null, 0, 0, List.of(2, 3, 4)),
              new Node("task", "square", "1", 1, 0, List.of()),
              new Node("task", "square", "2", 1, 1, List.of()),
              new Node("task", "square", "3", 1, 2, List.of()),
              new Node("task", "sum", null, 0, 1, List.of()));
      assertEquals(
          List.of(
              new Step(2, "square", "1", null),
              new Step(3, "square", "2", null),
              new Step(4, "square", "3", null)),
          w.create("k-1", chord, DAY, LATER));
      assertEquals(List.of(), w.complete("k-1", 4, "9", false, DAY).next());
      assertEquals(List.of(), w.complete("k-1", 2, "1", false, DAY).next());
      assertEquals(List.of(), w.complete("k-1", 2, "1", false, DAY).next(), "twice, counted once");
      assertEquals(
          List.of(new Step(5, "sum", "[1,4,9]", null)),
          w.complete("k-1", 3, "4", false, DAY).next());
      assertTrue(w.complete("k-1", 5, "14", false, DAY).ended());
      assertEquals("14", state.taskRecords().read("k-1").orElseThrow().result());

      w.create("k-2", chord, DAY, LATER);
      w.complete("k-2", 2, "1", false, DAY);
      assertTrue(w.fail("k-2", 1, "{\"type\":\"boom\"}", DAY));
      assertFalse(w.fail("k-2", 1, "{\"type\":\"second\"}", DAY), "the first error wins");
      TaskRecords.Record failed = state.taskRecords().read("k-2").orElseThrow();
      assertEquals("failed", failed.state());
      assertEquals("{\"type\":\"boom\"}", failed.error());
      Workflows.Completion late = w.complete("k-2", 3, "4", false, DAY);
      assertTrue(late.ended());
      assertEquals(List.of(), late.next(), "nothing more is sent for a failed workflow");
      Workflows.Completion unknown = w.complete("never", 1, "1", false, DAY);
      assertTrue(unknown.ended() && unknown.next().isEmpty());
    }
  }

  @Test
  void nestedWorkflows_aGroupOfChainsInAChain_passResultsThroughEveryLevel(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      // chain( square(2), group( chain(square, square), square ), add )
      List<Node> nodes =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 2, 6)),
              new Node("task", "square", "2", 0, 0, List.of()),
              new Node("group", null, null, 0, 1, List.of(3, 5)),
              new Node("chain", null, null, 2, 0, List.of(4, 7)),
              new Node("task", "square", null, 3, 0, List.of()),
              new Node("task", "square", null, 2, 1, List.of()),
              new Node("task", "add", null, 0, 2, List.of()),
              new Node("task", "square", null, 3, 1, List.of()));
      assertEquals(List.of(new Step(1, "square", "2", null)), w.create("n-1", nodes, DAY, LATER));
      // The group's members each get the chain's previous result.
      assertEquals(
          List.of(new Step(4, "square", "4", null), new Step(5, "square", "4", null)),
          w.complete("n-1", 1, "4", false, DAY).next());
      assertEquals(List.of(), w.complete("n-1", 5, "16", false, DAY).next());
      assertEquals(
          List.of(new Step(7, "square", "16", null)),
          w.complete("n-1", 4, "16", false, DAY).next());
      assertEquals(
          List.of(new Step(6, "add", "[256,16]", null)),
          w.complete("n-1", 7, "256", false, DAY).next(),
          "the inner chain's result, then the member's, in the group's order");
      assertTrue(w.complete("n-1", 6, "272", false, DAY).ended());
      assertEquals("272", state.taskRecords().read("n-1").orElseThrow().result());
    }
  }

  @Test
  void stepOptions_travelWithTheirSteps_andARedeliveryGetsThemBack(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      String urgent = "{\"priority\":5,\"rateKey\":\"k\",\"delayMs\":30000}";
      List<Node> chain =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 2)),
              new Node("task", "inc", "1", 0, 0, List.of(), "{\"priority\":1}"),
              new Node("task", "inc", null, 0, 1, List.of(), urgent));
      assertEquals(
          List.of(new Step(1, "inc", "1", "{\"priority\":1}")), w.create("o-1", chain, DAY, LATER));
      assertEquals(
          List.of(new Step(2, "inc", "2", urgent)), w.complete("o-1", 1, "2", false, DAY).next());
      assertEquals(
          List.of(new Step(2, "inc", "2", urgent)),
          w.complete("o-1", 1, "2", true, DAY).next(),
          "a redelivery sends again what the first end sent, options included");

      // A workflow advanced by a consumer from before step options: three fields a step.
      String k = env.namespace() + ":flow:o-1";
      try (var jedis = env.jedis()) {
        jedis.hdel(k, "nx.1");
        jedis.hset(k, "next.1", "[\"2\",\"inc\",\"2\"]");
      }
      assertEquals(
          List.of(new Step(2, "inc", "2", null)), w.complete("o-1", 1, "2", true, DAY).next());
    }
  }

  @Test
  void cancel_stopsTheWorkflow_andNamesTheMembersNotDone(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      Workflows w = state.workflows();
      List<Node> chord =
          List.of(
              new Node("chain", null, null, -1, 0, List.of(1, 4)),
              new Node("group", null, null, 0, 0, List.of(2, 3)),
              new Node("task", "square", "1", 1, 0, List.of()),
              new Node("task", "square", "2", 1, 1, List.of()),
              new Node("task", "sum", null, 0, 1, List.of()));
      w.create("x-1", chord, DAY, LATER);
      w.complete("x-1", 2, "1", false, DAY);

      Workflows.Cancel c = w.cancel("x-1", "{\"type\":\"cancelled\"}", DAY);
      assertTrue(c.cancelled());
      assertEquals(List.of(3, 4), c.unfinished(), "member 2 ended; 3 and the callback had not");
      assertEquals("cancelled", state.taskRecords().read("x-1").orElseThrow().state());
      assertTrue(w.complete("x-1", 3, "4", false, DAY).next().isEmpty(), "advances no further");
      Workflows.Cancel again = w.cancel("x-1", "{}", DAY);
      assertFalse(again.cancelled());
      assertEquals("cancelled", again.state());
      assertFalse(w.cancel("never", "{}", DAY).found());

      Workflows.View v = w.read("x-1").orElseThrow();
      assertEquals("cancelled", v.state());
      assertEquals(5, v.nodes().size());
      assertTrue(v.nodes().get(2).done());
      assertEquals("x-1.3", v.stepId(3));
      assertEquals(List.of(2, 3), v.nodes().get(1).children());

      w.create("x-2", chord, DAY, LATER);
      w.fail("x-2", 3, "{\"type\":\"boom\"}", DAY);
      assertEquals(3, w.read("x-2").orElseThrow().failedNode());
      assertTrue(w.read("never").isEmpty());
    }
  }
}
