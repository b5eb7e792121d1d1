package dev.spool.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The bookkeeping alone: no Redis, names announced by hand. */
final class ChannelNotifierTest {
  private final ChannelNotifier notifier =
      new ChannelNotifier(
          () -> {
            throw new AssertionError("the test never subscribes");
          },
          "test:lock-released");

  @Test
  void interests_closed_leaveNothingBehind_evenForThousandsOfLockNames() {
    for (int i = 0; i < 5000; i++) {
      try (ChannelNotifier.Interest in = notifier.interest("order-" + i)) {
        in.generation();
      }
    }
    assertEquals(0, notifier.watched(), "a lock nobody waits for is not remembered");
    ChannelNotifier.Interest a = notifier.interest("x");
    ChannelNotifier.Interest b = notifier.interest("x");
    a.close();
    a.close(); // twice is harmless: b's interest stays counted
    assertEquals(1, notifier.watched());
    b.close();
    assertEquals(0, notifier.watched());
  }

  @Test
  void releaseBetweenReadAndWait_isNotMissed() throws Exception {
    try (ChannelNotifier.Interest in = notifier.interest("ledger")) {
      long seen = in.generation();
      notifier.announced("ledger"); // lands after the try, before the sleep
      long t0 = System.nanoTime();
      in.await(seen, TimeUnit.MINUTES.toMillis(5));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "did not sleep");
    }
  }

  @Test
  void release_wakesEveryWaiterOfThatLockOnly() throws Exception {
    CountDownLatch waiting = new CountDownLatch(3);
    CompletableFuture<Void> a = waiter("ledger", waiting);
    CompletableFuture<Void> b = waiter("ledger", waiting);
    CompletableFuture<Void> other = waiter("stock", waiting);
    assertTrue(waiting.await(10, TimeUnit.SECONDS));
    Awaitility.await().until(() -> notifier.watched() == 2);
    notifier.announced("ledger");
    CompletableFuture.allOf(a, b).get(10, TimeUnit.SECONDS);
    assertTrue(!other.isDone(), "a release of ledger does not wake the waiter of stock");
    notifier.announced("stock");
    other.get(10, TimeUnit.SECONDS);
    assertEquals(0, notifier.watched());
  }

  @Test
  void anyName_wakesTheWaiterOfAny_andOnlyIt() throws Exception {
    CountDownLatch waiting = new CountDownLatch(2);
    CompletableFuture<Void> any = waiter(ChannelNotifier.ANY, waiting);
    CompletableFuture<Void> stock = waiter("stock", waiting);
    assertTrue(waiting.await(10, TimeUnit.SECONDS));
    Awaitility.await().until(() -> notifier.watched() == 2);
    notifier.announced("spool:schedule:delayed.tasks");
    any.get(10, TimeUnit.SECONDS);
    assertTrue(!stock.isDone(), "another name does not wake the waiter of stock");
    notifier.announced("stock");
    stock.get(10, TimeUnit.SECONDS);
    assertEquals(0, notifier.watched());
  }

  @Test
  void releaseOfALockNobodyWaitsFor_isIgnored() {
    notifier.announced("nobody");
    assertEquals(0, notifier.watched());
  }

  private CompletableFuture<Void> waiter(String lock, CountDownLatch waiting) {
    return CompletableFuture.runAsync(
        () -> {
          try (ChannelNotifier.Interest in = notifier.interest(lock)) {
            long seen = in.generation();
            waiting.countDown();
            while (in.generation() == seen) { // a spurious wake-up waits again
              in.await(seen, Duration.ofMinutes(5).toMillis());
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        },
        r -> Thread.ofVirtual().start(r));
  }
}
