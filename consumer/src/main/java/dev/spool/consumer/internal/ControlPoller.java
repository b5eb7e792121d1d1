package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a consumer's copies of what is controlled through Redis fresh (cancelled task ids, a
 * queue's pause, open pings) and runs its periodic writers (heartbeat, history, task index), on one
 * thread of its own. The writers run every {@link #POLL}. What is announced when it changes ({@link
 * Refreshable#announced}) is read when an announcement comes ({@code RedisState#announceControl}: a
 * cancel, pause, resume or ping), and at least every {@link #FALLBACK} for one that was lost (made
 * while the subscription reconnected, or by a Spool from before announcements); each such read is
 * one small read while nothing changed. While Redis cannot be reached, the copies in force stay and
 * the thread keeps asking, backing off to 5 s.
 */
public final class ControlPoller implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlPoller.class);

  /** How often the writers run, and the shortest wait between two looks. */
  static final Duration POLL = Duration.ofMillis(200);

  /** The longest an announced part goes unread: the most an unannounced change takes to be seen. */
  static final Duration FALLBACK = Duration.ofSeconds(1);

  /** Something kept in step with Redis. */
  public interface Refreshable {
    /** Reads Redis and acts on what changed. */
    void refresh();

    /** What it keeps, for the log, e.g. "cancelled task ids". */
    String what();

    /**
     * Whether it reads only what is announced when it changes: then it is refreshed on an
     * announcement and every {@link #FALLBACK}, not every {@link #POLL}.
     */
    default boolean announced() {
      return false;
    }
  }

  /** Announcements of changes, as a generation count ({@code ChannelNotifier.Interest}). */
  public interface Announcements extends AutoCloseable {
    /** The announcements so far: read before reading what they announce. */
    long generation();

    /** Sleeps up to {@code millis} unless an announcement came after {@code seen} was read. */
    void await(long seen, long millis) throws InterruptedException;

    @Override
    void close();
  }

  private final List<Refreshable> parts;
  private final Announcements announcements;
  private final long readEvery; // nanos
  private final LongSupplier nanos;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;

  /** Without announcements: every part is read every {@link #POLL}. */
  public ControlPoller(List<Refreshable> parts) {
    this(parts, null, System::nanoTime);
  }

  /**
   * @param announcements wakes the poller when a change is announced; it is closed with the poller
   * @param nanos the clock of the {@link #FALLBACK}
   */
  public ControlPoller(List<Refreshable> parts, Announcements announcements, LongSupplier nanos) {
    this.parts = List.copyOf(parts);
    this.announcements = announcements;
    this.readEvery = (announcements == null ? POLL : FALLBACK).toNanos();
    this.nanos = nanos;
    this.thread = Thread.ofPlatform().daemon().name("spool-control").unstarted(this::run);
  }

  /**
   * Refreshes everything once, before the consumer takes its first task (a cancel or a pause made
   * while no consumer ran must hold for the tasks it finds queued), then goes on on its thread.
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
    long seen = Long.MIN_VALUE; // the announcements' generation at the last good read
    long readAt = nanos.getAsLong();
    try {
      while (stop.getCount() > 0) {
        long g = announcements == null ? 0 : announcements.generation();
        long now = nanos.getAsLong();
        boolean read = g != seen || now - readAt >= readEvery;
        boolean failed = refresh(read);
        if (failed) {
          backoff = Math.min(5000, Math.max(250, backoff * 2));
        } else {
          backoff = 0;
          if (read) {
            seen = g;
            readAt = now;
          }
        }
        long wait = failed ? backoff : POLL.toMillis();
        if (announcements == null || failed) {
          if (stop.await(wait, TimeUnit.MILLISECONDS)) return;
        } else {
          announcements.await(g, wait);
        }
      }
    } catch (InterruptedException e) {
      // closing
    }
  }

  /** Refreshes the writers, and the announced parts when {@code read}; true when Redis failed. */
  private boolean refresh(boolean read) {
    for (Refreshable part : parts) {
      if (part.announced() && !read) continue;
      try {
        part.refresh();
      } catch (SharedStateException e) {
        log.warn(
            "cannot read {} ({}); keeping what was read last, trying again shortly",
            part.what(),
            e.getMessage());
        return true;
      } catch (RuntimeException e) {
        log.warn("refreshing {} failed: {}", part.what(), e.toString());
      }
    }
    return false;
  }

  @Override
  public void close() {
    stop.countDown();
    thread.interrupt();
    if (announcements != null) announcements.close();
  }
}
