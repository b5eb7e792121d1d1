package dev.spool.consumer.internal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller runs its writers every {@link ControlPoller#POLL} and reads what is announced only on
 * an announcement and after {@link ControlPoller#FALLBACK}: driven by fake announcements and a fake
 * clock for the fallback, waiting with Awaitility on the counts.
 */
final class ControlPollerTest {
  private final FakeAnnouncements announcements = new FakeAnnouncements();
  private final AtomicLong clock = new AtomicLong();
  private final Part writer = new Part(false);
  private final Part announced = new Part(true);
  private ControlPoller poller;

  @AfterEach
  void stop() {
    if (poller != null) poller.close();
  }

  @Test
  void announcedPart_readAtStartOnAnnouncementAndAfterTheFallback_notEveryPoll() {
    poller = new ControlPoller(List.of(writer, announced), announcements, clock::get);
    poller.start(); // start, then the thread's first round: two reads of each
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.count.get() >= 6);
    assertEquals(2, announced.count.get(), "read at start and in the first round only");

    announcements.announce();
    await().atMost(Duration.ofSeconds(20)).until(() -> announced.count.get() == 3);
    int writes = writer.count.get();
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.count.get() >= writes + 3);
    assertEquals(3, announced.count.get(), "one read per announcement");

    clock.addAndGet(ControlPoller.FALLBACK.toNanos());
    await().atMost(Duration.ofSeconds(20)).until(() -> announced.count.get() == 4);
    int later = writer.count.get();
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.count.get() >= later + 3);
    assertEquals(4, announced.count.get(), "one read per fallback");
  }

  @Test
  void withoutAnnouncements_everyPartIsReadEveryPoll() {
    poller = new ControlPoller(List.of(writer, announced));
    poller.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> announced.count.get() >= 4);
    assertTrue(writer.count.get() >= 3, "the writer ran beside it: " + writer.count.get());
  }

  @Test
  void close_closesTheAnnouncements() {
    poller = new ControlPoller(List.of(writer), announcements, clock::get);
    poller.start();
    poller.close();
    assertTrue(announcements.closed);
  }

  private static final class Part implements ControlPoller.Refreshable {
    final AtomicInteger count = new AtomicInteger();
    private final boolean announced;

    Part(boolean announced) {
      this.announced = announced;
    }

    @Override
    public void refresh() {
      count.incrementAndGet();
    }

    @Override
    public String what() {
      return announced ? "an announced part" : "a writer";
    }

    @Override
    public boolean announced() {
      return announced;
    }
  }

  /** Announcements as the notifier's interest keeps them: a generation, and sleeps on it. */
  private static final class FakeAnnouncements implements ControlPoller.Announcements {
    private long generation;
    volatile boolean closed;

    synchronized void announce() {
      generation++;
      notifyAll();
    }

    @Override
    public synchronized long generation() {
      return generation;
    }

    @Override
    public synchronized void await(long seen, long millis) throws InterruptedException {
      if (generation == seen) wait(Math.max(1, millis));
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
