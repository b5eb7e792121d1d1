package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The time-limit watchdog alone, on a hand-driven clock: the test fires each alarm when it chooses,
 * so every ordering of "the limit passes", "the handler ends" and "the run is settled" is played
 * out deterministically on a real worker thread.
 */
final class TimeLimitTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final Duration GRACE = Duration.ofSeconds(5);

  /** Alarms the test fires by hand, in order; a cancelled one does nothing. */
  private static final class ManualScheduler implements TimeLimit.Scheduler {
    record Alarm(Runnable action, Duration delay, AtomicBoolean cancelled) {}

    final List<Alarm> alarms = new ArrayList<>();

    @Override
    public synchronized Runnable schedule(Runnable action, Duration delay) {
      Alarm a = new Alarm(action, delay, new AtomicBoolean());
      alarms.add(a);
      return () -> a.cancelled().set(true);
    }

    /** Fires alarm {@code i} as the timer thread would; false when it was cancelled. */
    boolean fire(int i) {
      Alarm a;
      synchronized (this) {
        a = alarms.get(i);
      }
      if (a.cancelled().get()) return false;
      a.action().run();
      return true;
    }
  }

  @Test
  void consumersTimer_runsThatEnd_leaveNothingQueued() throws Exception {
    var timer = TimeLimit.Scheduler.newTimer("test-time-limits");
    try {
      TimeLimit.Scheduler scheduler = TimeLimit.Scheduler.of(timer);
      for (int i = 0; i < 1000; i++) {
        TimeLimit limit =
            new TimeLimit(scheduler, LIMIT, GRACE, () -> false, () -> true, () -> {}, () -> {});
        limit.start();
        assertFalse(limit.finish());
      }
      assertEquals(0, timer.getQueue().size(), "alarms of runs that ended are not kept");
      TimeLimit running =
          new TimeLimit(scheduler, LIMIT, GRACE, () -> false, () -> true, () -> {}, () -> {});
      running.start();
      assertEquals(1, timer.getQueue().size(), "a running task's alarm is queued");
      running.finish();
    } finally {
      timer.shutdownNow();
    }
  }

  /** A handler on a thread of its own that blocks until released, recording interrupts. */
  private static final class Worker {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger interrupts = new AtomicInteger();
    final CompletableFuture<Boolean> finished = new CompletableFuture<>();

    Worker(TimeLimit limit, boolean obeysInterrupt) {
      Thread.ofPlatform()
          .start(
              () -> {
                limit.start();
                started.countDown();
                while (true) {
                  try {
                    if (release.await(10, TimeUnit.SECONDS)) break;
                  } catch (InterruptedException e) {
                    interrupts.incrementAndGet();
                    if (obeysInterrupt) break;
                  }
                }
                boolean abandoned = limit.finish();
                finished.complete(abandoned && !Thread.currentThread().isInterrupted());
              });
    }
  }

  private final ManualScheduler scheduler = new ManualScheduler();
  private final AtomicBoolean settled = new AtomicBoolean();
  private final AtomicInteger timeUps = new AtomicInteger();
  private final AtomicInteger abandons = new AtomicInteger();

  private TimeLimit limit() {
    return new TimeLimit(
        scheduler,
        LIMIT,
        GRACE,
        settled::get,
        () -> settled.compareAndSet(false, true),
        timeUps::incrementAndGet,
        abandons::incrementAndGet);
  }

  @Test
  void handlerEndsInTime_alarmIsCancelled_nothingInterruptedOrAbandoned() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, true);
    w.started.await();
    assertEquals(LIMIT, scheduler.alarms.getFirst().delay());

    w.release.countDown();
    assertFalse(w.finished.get(10, TimeUnit.SECONDS), "not abandoned");
    assertFalse(scheduler.fire(0), "the alarm was cancelled when the run ended");
    assertEquals(0, w.interrupts.get());
    assertFalse(limit.timedOut());
    assertEquals(0, abandons.get());
  }

  @Test
  void limitPasses_handlerObeysTheInterrupt_timedOutButNotAbandoned() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, true);
    w.started.await();

    assertTrue(scheduler.fire(0));
    assertFalse(w.finished.get(10, TimeUnit.SECONDS));
    assertEquals(1, w.interrupts.get());
    assertEquals(1, timeUps.get());
    assertTrue(limit.timedOut());
    assertEquals(GRACE, scheduler.alarms.get(1).delay(), "a grace alarm was set");
    assertFalse(scheduler.fire(1), "the grace alarm was cancelled when the run ended");
    assertEquals(0, abandons.get());
    assertFalse(settled.get(), "the run settles itself, as a timeout");
  }

  @Test
  void limitPasses_handlerIgnoresTheInterrupt_abandonedOnceAfterTheGrace() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, false);
    w.started.await();

    scheduler.fire(0);
    assertTrue(scheduler.fire(1));
    assertEquals(1, abandons.get());
    assertTrue(limit.abandoned());
    assertTrue(settled.get(), "the watchdog settled the run");

    w.release.countDown(); // the stuck handler ends at last
    assertTrue(w.finished.get(10, TimeUnit.SECONDS), "finish reports the abandonment");
    assertEquals(1, abandons.get());
  }

  @Test
  void limitPasses_afterTheRunWasSettled_noInterrupt() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, true);
    w.started.await();
    settled.set(true); // the result is being sent

    scheduler.fire(0);
    assertEquals(1, scheduler.alarms.size(), "no grace alarm");
    assertEquals(0, timeUps.get());
    w.release.countDown();
    assertFalse(w.finished.get(10, TimeUnit.SECONDS));
    assertEquals(0, w.interrupts.get());
    assertFalse(limit.timedOut());
  }

  @Test
  void graceEnds_afterTheHandlerSettledTheRun_notAbandoned() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, false);
    w.started.await();
    scheduler.fire(0);
    assertTrue(settled.compareAndSet(false, true)); // the handler's timeout failure won the race

    assertTrue(scheduler.fire(1));
    assertEquals(0, abandons.get(), "settled once, by the handler");
    assertFalse(limit.abandoned());
    w.release.countDown();
    assertFalse(w.finished.get(10, TimeUnit.SECONDS));
  }

  @Test
  void finish_clearsAnInterruptMeantForTheRun_soTheNextTaskDoesNotSeeIt() throws Exception {
    TimeLimit limit = limit();
    CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
    Thread.ofPlatform()
        .start(
            () -> {
              limit.start();
              scheduler.fire(0); // the limit passes while the handler is between blocking calls
              limit.finish();
              interruptedAfter.complete(Thread.currentThread().isInterrupted());
            });
    assertFalse(interruptedAfter.get(10, TimeUnit.SECONDS));
    assertTrue(limit.timedOut());
  }

  @Test
  void interruptNow_cancelsTheLimitAlarm_interruptsAtOnce_andIsNotATimeout() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, true);
    w.started.await();
    AtomicInteger announced = new AtomicInteger();

    assertTrue(limit.interruptNow(announced::incrementAndGet));
    assertFalse(w.finished.get(10, TimeUnit.SECONDS));
    assertEquals(1, w.interrupts.get());
    assertEquals(1, announced.get());
    assertFalse(limit.timedOut(), "cancelled, not timed out");
    assertEquals(0, timeUps.get());
    assertFalse(scheduler.fire(0), "the limit alarm was cancelled");
    assertEquals(GRACE, scheduler.alarms.get(1).delay(), "a grace alarm was set");
    assertFalse(scheduler.fire(1), "the grace alarm was cancelled when the run ended");
    assertEquals(0, abandons.get());
  }

  @Test
  void interruptNow_handlerIgnoresIt_abandonedAfterTheGrace() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, false);
    w.started.await();

    assertTrue(limit.interruptNow(() -> {}));
    assertTrue(scheduler.fire(1));
    assertEquals(1, abandons.get());
    assertTrue(limit.abandoned());
    assertFalse(limit.timedOut());
    w.release.countDown();
    assertTrue(w.finished.get(10, TimeUnit.SECONDS));
  }

  @Test
  void interruptNow_afterTheRunWasSettledOrEnded_doesNothing() throws Exception {
    TimeLimit limit = limit();
    Worker w = new Worker(limit, true);
    w.started.await();
    settled.set(true);
    AtomicInteger announced = new AtomicInteger();
    assertFalse(limit.interruptNow(announced::incrementAndGet));
    w.release.countDown();
    assertFalse(w.finished.get(10, TimeUnit.SECONDS));
    assertFalse(limit.interruptNow(announced::incrementAndGet), "the run ended");
    assertEquals(0, announced.get());
    assertEquals(0, w.interrupts.get());
  }
}
