package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

final class PrefetchTunerTest {
  private static final long MS = 1_000_000L;

  @Test
  void next_manyShortTasks_widens() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    for (int i = 0; i < 32; i++) t.ended(1 * MS);
    assertEquals(128, t.next(32));
  }

  @Test
  void next_fewerShortTasksThanTheNarrowWindow_keepsTheWindow() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    for (int i = 0; i < 31; i++) t.ended(MS / 10);
    assertEquals(32, t.next(32), "31 tasks in a look: too few to say the consumer is busy");
  }

  @Test
  void next_longTasks_narrowsEvenFromFewOfThem() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    t.ended(50 * MS);
    t.ended(70 * MS);
    assertEquals(32, t.next(128));
  }

  @Test
  void next_tasksBetweenShortAndLong_keepWhateverIsInForce() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    for (int i = 0; i < 100; i++) t.ended(20 * MS);
    assertEquals(128, t.next(128));
    for (int i = 0; i < 100; i++) t.ended(20 * MS);
    assertEquals(32, t.next(32));
  }

  @Test
  void next_nothingEnded_keepsTheWindow() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    assertEquals(128, t.next(128));
    assertEquals(32, t.next(32));
  }

  @Test
  void next_countsOnlyTheTasksSinceTheLastLook() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    for (int i = 0; i < 40; i++) t.ended(MS);
    assertEquals(128, t.next(32));
    t.ended(200 * MS); // the 40 short ones are not averaged in again
    assertEquals(32, t.next(128));
  }

  @Test
  void next_meanDecides_notTheFastestOrSlowest() {
    PrefetchTuner t = new PrefetchTuner(32, 128);
    for (int i = 0; i < 99; i++) t.ended(MS / 10);
    t.ended(400 * MS); // mean 4.1 ms: still short
    assertEquals(128, t.next(32));
  }

  @Test
  void next_aTaskRunningLong_narrowsBeforeItEnds_andKeepsItNarrowUntilThen() {
    long[] now = {0};
    PrefetchTuner t = new PrefetchTuner(32, 128, () -> now[0]);
    t.started(); // a long task, on this thread
    now[0] += 100 * MS;
    for (int i = 0; i < 100; i++) t.ended(MS); // short ones end on other threads meanwhile
    assertEquals(128, t.next(32), "a task 100 ms in says nothing yet");
    now[0] += PrefetchTuner.LONG_RUN_NANOS;
    for (int i = 0; i < 100; i++) t.ended(MS);
    assertEquals(32, t.next(128), "600 ms in: narrow, whatever the short ones say");
    for (int i = 0; i < 100; i++) t.ended(MS);
    assertEquals(32, t.next(32), "and narrow while it runs");
    t.stopped();
    for (int i = 0; i < 100; i++) t.ended(MS);
    assertEquals(128, t.next(32), "it ended: the short ones widen it again");
  }

  @Test
  void next_runningTasksOnSeveralThreads_theOldestDecides() throws Exception {
    long[] now = {0};
    PrefetchTuner t = new PrefetchTuner(32, 128, () -> now[0]);
    Thread old = new Thread(t::started);
    old.start();
    old.join(); // its cell stays set: its task runs on
    now[0] += PrefetchTuner.LONG_RUN_NANOS;
    t.started(); // a task just started on this thread
    for (int i = 0; i < 100; i++) t.ended(MS);
    assertEquals(32, t.next(128));
  }

  @Test
  void new_wideBelowNarrow_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PrefetchTuner(64, 32));
    assertThrows(IllegalArgumentException.class, () -> new PrefetchTuner(0, 32));
  }
}
