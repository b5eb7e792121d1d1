package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.services.StateServicesExtension;
import dev.spool.testing.services.StateTestEnv;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(StateServicesExtension.class)
final class TaskRecordsIT {
  private static final Duration DAY = Duration.ofDays(1);

  @Test
  void aRecord_goesFromPendingThroughStartedAndRetryingToSucceeded(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      assertTrue(r.read("t-1").isEmpty(), "nothing recorded yet");
      r.submitted("t-1", "square", null, DAY);
      TaskRecords.Record pending = r.read("t-1").orElseThrow();
      assertEquals(TaskRecords.PENDING, pending.state());
      assertEquals("square", pending.name());
      assertNotNull(pending.submitted());
      assertTrue(pending.ttl().compareTo(DAY) <= 0 && pending.ttl().toHours() >= 23);

      assertTrue(r.start("t-1", "square", 1, "w1", DAY).isEmpty());
      assertEquals(TaskRecords.STARTED, r.read("t-1").orElseThrow().state());
      r.progress("t-1", "{\"done\":1}");
      assertEquals("{\"done\":1}", r.read("t-1").orElseThrow().progress());
      assertEquals(List.of("t-1"), r.inProgress(10).stream().map(TaskRecords.Record::id).toList());
      r.retrying("t-1", "square", 2, "{\"type\":\"boom\"}", DAY);
      TaskRecords.Record retrying = r.read("t-1").orElseThrow();
      assertEquals(TaskRecords.RETRYING, retrying.state());
      assertEquals(2, retrying.attempts());
      assertEquals("{\"type\":\"boom\"}", retrying.error());

      assertTrue(r.start("t-1", "square", 2, "w2", DAY).isEmpty());
      assertNull(r.read("t-1").orElseThrow().progress(), "progress belongs to an attempt");
      assertTrue(r.finished("t-1", "square", TaskRecords.SUCCEEDED, "49", 2, Duration.ofHours(1)));
      TaskRecords.Record done = r.read("t-1").orElseThrow();
      assertEquals(TaskRecords.SUCCEEDED, done.state());
      assertEquals("49", done.result());
      assertNull(done.error(), "the retried failure is not the outcome");
      assertEquals("w2", done.worker());
      assertEquals(2, done.attempts());
      assertNotNull(done.finished());
      assertTrue(done.ttl().toMinutes() <= 60, "kept for the keep given at the end: " + done.ttl());
      assertEquals(List.of(), r.inProgress(10), "an ended task is no longer in progress");
      assertTrue(r.delete("t-1"));
      assertTrue(r.read("t-1").isEmpty());
    }
  }

  @Test
  void aSuccess_isWrittenOnce_evenWhenTheTaskRanTwice(StateTestEnv env) throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      r.submitted("t-2", "square", null, DAY);
      // Eight runs of the same task race to record their result: one wins, and the others learn.
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Boolean>> wrote = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String result = Integer.toString(i);
        wrote.add(
            pool.submit(() -> r.finished("t-2", "square", TaskRecords.SUCCEEDED, result, 1, DAY)));
      }
      int wins = 0;
      for (Future<Boolean> f : wrote) wins += f.get() ? 1 : 0;
      pool.shutdown();
      assertEquals(1, wins);
      String kept = r.read("t-2").orElseThrow().result();
      assertFalse(r.finished("t-2", "square", TaskRecords.FAILED, "{}", 1, DAY));
      assertEquals(kept, r.read("t-2").orElseThrow().result(), "a later failure changes nothing");
      // A later start is told the task succeeded, so it need not run.
      TaskRecords.Record told = r.start("t-2", "square", 1, "w9", DAY).orElseThrow();
      assertEquals(TaskRecords.SUCCEEDED, told.state());
      assertEquals(kept, told.result());
      assertEquals(TaskRecords.SUCCEEDED, r.read("t-2").orElseThrow().state());
    }
  }

  @Test
  void aFailure_canBeReplacedByALaterRun_aCancelCannot(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      r.submitted("t-3", "square", null, DAY);
      assertTrue(r.finished("t-3", "square", TaskRecords.DEAD, "{\"type\":\"x\"}", 3, DAY));
      assertTrue(r.start("t-3", "square", 1, "w1", DAY).isEmpty(), "a replayed dead letter runs");
      assertTrue(r.finished("t-3", "square", TaskRecords.SUCCEEDED, "1", 1, DAY));
      assertEquals(TaskRecords.SUCCEEDED, r.read("t-3").orElseThrow().state());

      r.submitted("t-4", "square", null, DAY);
      assertEquals(1, r.cancelIfWaiting(List.of("t-4", "no-such"), "{\"type\":\"cancelled\"}"));
      assertEquals(
          TaskRecords.CANCELLED, r.start("t-4", "square", 1, "w", DAY).orElseThrow().state());
      assertFalse(r.finished("t-4", "square", TaskRecords.SUCCEEDED, "1", 1, DAY));
      assertEquals(TaskRecords.CANCELLED, r.read("t-4").orElseThrow().state());

      r.submitted("t-5", "square", null, DAY);
      r.start("t-5", "square", 1, "w", DAY);
      assertEquals(
          0, r.cancelIfWaiting(List.of("t-5"), "{}"), "a started task is its consumer's to end");
      assertEquals(TaskRecords.STARTED, r.read("t-5").orElseThrow().state());
    }
  }

  @Test
  void aDelayedTask_isScheduled_andKeptPastItsDueTime(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      Instant due = Instant.now().plus(Duration.ofHours(2));
      r.submitted("t-6", "square", due, Duration.ofHours(1));
      TaskRecords.Record rec = r.read("t-6").orElseThrow();
      assertEquals(TaskRecords.SCHEDULED, rec.state());
      assertEquals(due.toEpochMilli(), rec.due().toEpochMilli());
      assertTrue(rec.ttl().toMinutes() > 170, "kept an hour past its due time: " + rec.ttl());
      // A new submission under the id starts a new record.
      r.submitted("t-6", "square", null, DAY);
      assertEquals(TaskRecords.PENDING, r.read("t-6").orElseThrow().state());
      assertNull(r.read("t-6").orElseThrow().due());
      assertEquals(1L, state.objects(0).counts().get("task"), "one record in this namespace");
    }
  }

  @Test
  void badIdsAndKeeps_areRefused_withWhatIsExpected(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      var e = assertThrows(IllegalArgumentException.class, () -> r.read("a b"));
      assertTrue(e.getMessage().contains("1 to 200 letters"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> r.read("x".repeat(201)));
      assertThrows(IllegalArgumentException.class, () -> r.read(null));
      var k =
          assertThrows(
              IllegalArgumentException.class,
              () -> r.submitted("t-7", "square", null, Duration.ofDays(91)));
      assertTrue(k.getMessage().contains("90 days"), k.getMessage());
      assertThrows(
          IllegalArgumentException.class, () -> r.submitted("t-7", "square", null, Duration.ZERO));
      assertThrows(
          IllegalArgumentException.class,
          () -> r.finished("t-7", "square", TaskRecords.STARTED, "1", 1, DAY));
      assertTrue(r.read("t-7").isEmpty());
    }
  }

  @Test
  void theProducersRecord_comingAfterTheConsumers_completesIt_neverResetsIt(StateTestEnv env) {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      // The consumer started and finished the task before the producer's write arrived.
      assertTrue(r.start("t-8", "square", 1, "w1", DAY, "aaaa1111").isEmpty());
      assertTrue(r.finished("t-8", "square", TaskRecords.SUCCEEDED, "49", 1, DAY, "aaaa1111"));
      r.submitted("t-8", "square", null, DAY, "aaaa1111");
      TaskRecords.Record done = r.read("t-8").orElseThrow();
      assertEquals(TaskRecords.SUCCEEDED, done.state(), "not reset to pending");
      assertEquals("49", done.result());
      assertNotNull(done.submitted(), "the producer's part added");

      // A new submission under the same id starts afresh, whichever side writes first.
      assertTrue(r.start("t-8", "square", 1, "w2", DAY, "bbbb2222").isEmpty(), "runs again");
      assertEquals(TaskRecords.STARTED, r.read("t-8").orElseThrow().state());
      assertFalse(
          r.finished("t-8", "square", TaskRecords.SUCCEEDED, "1", 1, DAY, "aaaa1111"),
          "a run of the earlier submission does not write into the new one's record");
      assertTrue(r.finished("t-8", "square", TaskRecords.SUCCEEDED, "64", 1, DAY, "bbbb2222"));
      assertEquals("64", r.read("t-8").orElseThrow().result());
    }
  }

  @Test
  void recent_filtersByNameAndState_latestFirst_readsAtMostTheBudget(StateTestEnv env)
      throws Exception {
    try (RedisState state = StateFixture.state(env)) {
      TaskRecords r = state.taskRecords();
      r.submitted("sq-1", "square", null, DAY);
      r.submitted("sq-2", "square", null, DAY);
      r.submitted("sl-1", "sleep", null, DAY);
      Thread.sleep(5); // the ends below come later than every submission, by Redis's clock
      assertTrue(r.start("sq-1", "square", 1, "w1", DAY).isEmpty());
      assertTrue(r.finished("sq-1", "square", TaskRecords.SUCCEEDED, "1", 1, DAY));
      Thread.sleep(5);
      assertTrue(r.start("sl-1", "sleep", 1, "w1", DAY).isEmpty());
      assertTrue(r.finished("sl-1", "sleep", TaskRecords.FAILED, "{\"type\":\"x\"}", 1, DAY));

      assertEquals(
          List.of("sl-1", "sq-1", "sq-2"),
          r.recent(null, null, 10, 1000).stream().map(TaskRecords.Record::id).toList());
      assertEquals(
          List.of("sq-1", "sq-2"),
          r.recent("square", null, 10, 1000).stream().map(TaskRecords.Record::id).toList());
      assertEquals(
          List.of("sq-2"),
          r.recent("square", TaskRecords.PENDING, 10, 1000).stream()
              .map(TaskRecords.Record::id)
              .toList());
      assertEquals(1, r.recent(null, null, 1, 1000).size(), "at most the limit");
      assertTrue(r.recent(null, null, 10, 2).size() <= 2, "at most the budget read");
      assertEquals(List.of(), r.recent(null, null, 0, 1000));
    }
  }
}
