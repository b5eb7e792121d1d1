package dev.spool.consumer.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The gate a suspect task runs alone through, with real threads held in it by the test. */
final class AloneGateTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void enterAlone_waitsForTheRunningOnes_andNothingStartsBesideIt() throws Exception {
    AloneGate gate = new AloneGate(Duration.ofMinutes(1));
    AloneGate.Hold a = gate.enterShared();
    AloneGate.Hold b = gate.enterShared();
    CompletableFuture<AloneGate.Hold> suspect =
        CompletableFuture.supplyAsync(() -> enter(gate::enterAlone));
    await().pollDelay(Duration.ofMillis(100)).atMost(WAIT).until(() -> true);
    assertFalse(suspect.isDone(), "two tasks still run");
    CompletableFuture<AloneGate.Hold> later =
        CompletableFuture.supplyAsync(() -> enter(gate::enterShared));
    a.close();
    b.close();
    AloneGate.Hold alone = suspect.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(alone.alone());
    await().pollDelay(Duration.ofMillis(100)).atMost(WAIT).until(() -> true);
    assertFalse(later.isDone(), "nothing starts beside a task running alone");
    assertEquals(0, gate.shared());
    alone.close();
    assertFalse(later.get(10, java.util.concurrent.TimeUnit.SECONDS).alone());
    assertEquals(1, gate.shared());
  }

  @Test
  void enterAlone_pastItsPatience_runsShared_soARunningTaskThatWaitsForWorkCanEnd()
      throws Exception {
    AloneGate gate = new AloneGate(Duration.ofMillis(200));
    AloneGate.Hold stuck = gate.enterShared(); // a handler waiting for a task of this consumer
    AloneGate.Hold suspect = gate.enterAlone();
    assertFalse(suspect.alone(), "ran out of patience: runs beside the other");
    assertEquals(2, gate.shared());
    // The work the first one waited for can start now.
    AloneGate.Hold awaited = gate.enterShared();
    assertEquals(3, gate.shared());
    awaited.close();
    suspect.close();
    stuck.close();
    assertEquals(0, gate.shared());
  }

  @Test
  void hold_closedTwice_byItsThreadAndByTheWatchdog_releasesOnce() throws Exception {
    AloneGate gate = new AloneGate(Duration.ofMinutes(1));
    AloneGate.Hold a = gate.enterShared();
    AloneGate.Hold b = gate.enterShared();
    a.close(); // the watchdog abandons a stuck thread
    a.close(); // the thread comes back
    assertEquals(1, gate.shared(), "b still holds its place");
    b.close();
    assertTrue(gate.enterAlone().alone());
  }

  @Test
  void manySharedAndAFewAlone_neverOverlap() throws Exception {
    AloneGate gate = new AloneGate(Duration.ofMinutes(1));
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    java.util.List<CompletableFuture<Void>> all = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      boolean alone = i % 20 == 0;
      all.add(
          CompletableFuture.runAsync(
              () -> {
                try (AloneGate.Hold h =
                    alone ? enter(gate::enterAlone) : enter(gate::enterShared)) {
                  int now = running.incrementAndGet();
                  if (h.alone() && now != 1) overlaps.incrementAndGet();
                  Thread.onSpinWait();
                  running.decrementAndGet();
                }
              },
              java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(0, overlaps.get(), "a task running alone had another beside it");
    assertEquals(0, gate.shared());
  }

  @FunctionalInterface
  private interface Enter {
    AloneGate.Hold enter() throws InterruptedException;
  }

  private static AloneGate.Hold enter(Enter e) {
    try {
      return e.enter();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(ex);
    }
  }
}
