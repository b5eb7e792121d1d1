package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class ProgressReportsTest {
  @Test
  void aTightLoopOfReports_isWrittenOncePerInterval_theLatestWinning() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    List<String> written = new ArrayList<>();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      ProgressReports p =
          new ProgressReports(
              TimeUnit.SECONDS.toNanos(60), // the timer does not fire during the test
              now::get,
              j -> {
                synchronized (written) {
                  written.add(j);
                }
              },
              timer);
      p.report("1"); // the first is written at once
      for (int i = 2; i <= 10_000; i++) p.report(Integer.toString(i)); // too soon: coalesced
      synchronized (written) {
        assertEquals(List.of("1"), written);
      }
      now.addAndGet(TimeUnit.SECONDS.toNanos(60)); // the interval is up
      p.flush(); // as the timer would; the timer's own flush then finds nothing new
      synchronized (written) {
        assertEquals(List.of("1", "10000"), written);
      }
      p.close();
      p.report("late");
      p.flush();
      synchronized (written) {
        assertEquals(List.of("1", "10000"), written, "nothing after the task ended");
      }
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void aReportAfterAQuietInterval_isWrittenAtOnce() {
    AtomicLong now = new AtomicLong(0);
    List<String> written = new ArrayList<>();
    ProgressReports p = new ProgressReports(100, now::get, written::add, null);
    p.report("a");
    now.addAndGet(150);
    p.report("b");
    assertEquals(List.of("a", "b"), written, "no timer needed when the interval has passed");
  }
}
