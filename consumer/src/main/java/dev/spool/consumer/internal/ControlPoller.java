package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a consumer's copies of what is controlled through Redis fresh — cancelled task ids, a
 * queue's pause — by asking every {@link #POLL} on one thread of its own. Each refresh is one small
 * read while nothing changed. While Redis cannot be reached, the copies in force stay and the
 * thread keeps asking, backing off to 5 s.
 */
public final class ControlPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPoller.class);

  /** How often Redis is asked: about the most a cancel or a pause takes to be seen. */
  static final Duration POLL = Duration.ofMillis(200);

  /** Something kept in step with Redis. */
  public interface Refreshable {
    /** Reads Redis and acts on what changed. */
    void refresh();

    /** What it keeps, for the log, e.g. "cancelled task ids". */
    String what();
  }

  private final List<Refreshable> parts;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;

  public ControlPoller(List<Refreshable> parts) {
    this.parts = List.copyOf(parts);
    this.thread = Thread.ofPlatform().daemon().name("spool-control").unstarted(this::run);
  }

  /**
   * Refreshes everything once, before the consumer takes its first task (a cancel or a pause made
   * while no consumer ran must hold for the tasks it finds queued), then every {@link #POLL}.
   */
  public void start() {
    for (Refreshable part : parts) {
      try {
        part.refresh();
      } catch (SharedStateException e) {
        log.warn("cannot read {} ({}); not seen until Redis answers", part.what(), e.getMessage());
      }
    }
    thread.start();
  }

  private void run() {
    long backoff = 0;
    try {
      while (stop.getCount() > 0) {
        boolean failed = false;
        for (Refreshable part : parts) {
          try {
            part.refresh();
          } catch (SharedStateException e) {
            failed = true;
            backoff = Math.min(5000, Math.max(250, backoff * 2));
            log.warn(
                "cannot read {} ({}); keeping what was read last, trying again in {} ms",
                part.what(),
                e.getMessage(),
                backoff);
            break;
          } catch (RuntimeException e) {
            log.warn("refreshing {} failed: {}", part.what(), e.toString());
          }
        }
        if (!failed) backoff = 0;
        if (stop.await(failed ? backoff : POLL.toMillis(), TimeUnit.MILLISECONDS)) return;
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  @Override
  public void close() {
    stop.countDown();
    thread.interrupt();
  }
}
