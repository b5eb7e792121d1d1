package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

final class WorkerPoolTest {
  /** A task of some priority that records that it ran. */
  private record Ranked(int priority, boolean booked, String name, List<String> order)
      implements Runnable, WorkerPool.Prioritized {
    Ranked(int priority, String name, List<String> order) {
      this(priority, false, name, order);
    }

    @Override
    public void run() {
      synchronized (order) {
        order.add(name);
      }
    }
  }

  @Test
  void waitingTasks_runHighestPriorityFirst_inArrivalOrderWithinAPriority() throws Exception {
    WorkerPool pool = new WorkerPool(1, false);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new ArrayList<>();
    try {
      pool.execute(() -> awaitQuietly(release, new AtomicInteger())); // the one thread is busy
      String[] names = {"low-1", "low-2", "high-9", "mid-5", "low-3", "mid-5b", "high-9b"};
      int[] priorities = {0, 0, 9, 5, 0, 5, 9};
      for (int i = 0; i < names.length; i++) {
        pool.execute(new Ranked(priorities[i], names[i], order));
      }
      release.countDown();
      assertTrue(pool.awaitIdle(Duration.ofSeconds(30)));
      assertEquals(
          List.of("high-9", "high-9b", "mid-5", "mid-5b", "low-1", "low-2", "low-3"), order);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTaskWhoseRateSlotCame_goesAheadOfItsPriority_notAheadOfAHigherOne() throws Exception {
    WorkerPool pool = new WorkerPool(1, false);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new ArrayList<>();
    try {
      pool.execute(() -> awaitQuietly(release, new AtomicInteger()));
      pool.execute(new Ranked(0, false, "backlog-1", order));
      pool.execute(new Ranked(0, false, "backlog-2", order));
      pool.execute(new Ranked(0, true, "booked-0", order));
      pool.execute(new Ranked(1, false, "priority-1", order));
      pool.execute(new Ranked(0, true, "booked-0b", order));
      release.countDown();
      assertTrue(pool.awaitIdle(Duration.ofSeconds(30)));
      assertEquals(List.of("priority-1", "booked-0", "booked-0b", "backlog-1", "backlog-2"), order);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void handBack_givesBackWaitingTasks_whateverTheirPriority() throws Exception {
    WorkerPool pool = new WorkerPool(1, false);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new ArrayList<>();
    pool.execute(() -> awaitQuietly(release, new AtomicInteger()));
    pool.execute(new Ranked(0, "a", order));
    pool.execute(new Ranked(7, "b", order));
    assertEquals(2, pool.handBack(tag -> {}), "both waiting ones are taken out");
    release.countDown();
    assertTrue(pool.awaitIdle(Duration.ofSeconds(30)));
    assertEquals(List.of(), order, "handed back, not run");
  }

  @Test
  void addReplacement_pastTheBound_addsNoThreadAndAsksForTheProcessToBeReplaced() {
    List<String> asked = new ArrayList<>();
    WorkerPool pool = new WorkerPool(2, false, 2, asked::add);
    try {
      pool.addReplacement();
      pool.addReplacement();
      assertEquals(4, pool.threads());
      assertTrue(asked.isEmpty());

      pool.addReplacement();
      assertEquals(4, pool.threads(), "no thread beyond the bound");
      assertEquals(3, pool.abandoned());
      assertEquals(1, asked.size());
      assertTrue(asked.getFirst().contains("3 worker threads are stuck"), asked.getFirst());

      pool.releaseReplacement();
      assertEquals(4, pool.threads(), "the one beyond the bound had no thread of its own");
      pool.releaseReplacement();
      pool.releaseReplacement();
      assertEquals(2, pool.threads());
      assertEquals(0, pool.abandoned());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void awaitIdle_waitsForEveryTaskSubmitted_queuedOnesIncluded() throws Exception {
    WorkerPool pool = new WorkerPool(1, false);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    pool.execute(() -> awaitQuietly(release, ran));
    pool.execute(ran::incrementAndGet); // queued behind the first: the thread is busy
    assertEquals(2, pool.unfinished());
    CompletableFuture<Boolean> idle =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return pool.awaitIdle(Duration.ofMinutes(1));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Awaitility.await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !idle.isDone());
    release.countDown();
    assertTrue(idle.get(10, TimeUnit.SECONDS), "idle once both ended, within the timeout");
    assertEquals(2, ran.get(), "the queued task ran before idleness was declared");
    assertEquals(0, pool.unfinished());
  }

  @Test
  void awaitIdle_aThreadStuckPastItsTimeLimit_doesNotHoldTheDrain() throws Exception {
    WorkerPool pool = new WorkerPool(1, false, 1, why -> {});
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    try {
      pool.execute(
          () -> {
            entered.countDown();
            while (true) { // ignores interrupts, as a handler stuck in blocking I/O may
              try {
                stuck.await();
                return;
              } catch (InterruptedException ignored) {
                // keep waiting
              }
            }
          });
      assertTrue(entered.await(10, TimeUnit.SECONDS));
      pool.addReplacement(); // what the time-limit watchdog does for a handler that stays stuck
      assertTrue(pool.awaitIdle(Duration.ofSeconds(30)), "the stuck thread holds no delivery");
    } finally {
      stuck.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void handBack_givesBackWhatNeverStarted_andCountsItEnded() throws Exception {
    WorkerPool pool = new WorkerPool(1, false);
    CountDownLatch release = new CountDownLatch(1);
    pool.execute(() -> awaitQuietly(release, new AtomicInteger()));
    pool.execute(() -> {});
    pool.execute(() -> {});
    Awaitility.await().until(() -> pool.unfinished() == 3);
    List<Long> handed = new ArrayList<>();
    assertEquals(2, pool.handBack(handed::add), "two never started");
    assertTrue(handed.isEmpty(), "plain runnables carry no delivery tag");
    assertEquals(1, pool.unfinished(), "only the running one is left");
    release.countDown();
    assertTrue(pool.awaitIdle(Duration.ofSeconds(30)));
  }

  private static void awaitQuietly(CountDownLatch latch, AtomicInteger ran) {
    try {
      latch.await();
      ran.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
