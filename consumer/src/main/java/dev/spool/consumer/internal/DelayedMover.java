package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import dev.spool.SpoolException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.ParkedTask;
import dev.spool.state.internal.ChannelNotifier;
import dev.spool.state.internal.SharedSchedule;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves delayed tasks from Redis to the work queue when they fall due: every consumer runs one, and
 * Redis hands each due task to one of them ({@link SharedSchedule#claim}). A task is removed from
 * Redis only once the broker confirmed it in the work queue; a mover that dies between the two
 * leaves its claim to run out ({@link #LEASE}), and the task is moved again (so at least once).
 * Between claims it sleeps until the next task falls due, as Redis tells it with each claim (at
 * least {@link #POLL}, so tasks due close together leave together), and wakes early when a task due
 * sooner than every waiting one is added (Redis announces those, {@link SharedSchedule#sooner}); at
 * most {@link #IDLE}, for what is not announced (tasks stored by an older producer, an announcement
 * lost while the subscription reconnects). An idle consumer so asks Redis once a second per
 * schedule, not twenty times. A batch is marked done after the next one is claimed and published,
 * so the broker's confirms never stand between two claims; or, when the next claim is further off
 * than {@link #POLL}, before the sleep (and on close). A task that cannot be published at all (a
 * name AMQP cannot carry, stored by an older producer) is dead-lettered with the reason, once, and
 * never claimed again: it would otherwise be claimed, refused and claimed again for ever.
 */
public final class DelayedMover implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DelayedMover.class);

  /**
   * The shortest sleep between claims that found less than a batch. A published batch is marked
   * done at the next claim when that is this close, else before the sleep.
   */
  static final Duration POLL = Duration.ofMillis(50);

  /** The longest sleep between claims. */
  static final Duration IDLE = Duration.ofSeconds(1);

  static final Duration LEASE = Duration.ofSeconds(60);
  private static final int BATCH = 500;

  private final List<SharedSchedule> schedules;
  private final ConfirmingPublisher publisher;
  private final String workQueue;
  private final String urgentQueue;
  private final Counters counters;
  private final DeadLetterSink dead;
  private final Thread thread;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Map<SharedSchedule, Batch> unsettled = new HashMap<>();
  private final Duration idle;
  private volatile ChannelNotifier.Interest sooner; // what the mover sleeps on; close wakes it
  private volatile long claims; // written by the mover's thread only

  /** Where a task that cannot be published goes instead: a dead letter, with why. */
  @FunctionalInterface
  public interface DeadLetterSink {
    /** Publishes a dead letter of {@code task}; {@code onConfirmed} once the broker has it. */
    void deadLetter(ParkedTask task, String why, Runnable onConfirmed) throws InterruptedException;
  }

  /**
   * @param schedules where the tasks wait: delayed ones, and those put aside by a rate limit
   * @param urgentQueue where tasks with a priority or a booked rate slot go (the work queue's
   *     urgent lane)
   * @param dead where a task that cannot be published goes
   */
  public DelayedMover(
      List<SharedSchedule> schedules,
      ConfirmingPublisher publisher,
      String workQueue,
      String urgentQueue,
      Counters counters,
      DeadLetterSink dead) {
    this(schedules, publisher, workQueue, urgentQueue, counters, dead, IDLE);
  }

  /** With the longest sleep between claims {@code idle} (a test's, to tell a wake from a poll). */
  DelayedMover(
      List<SharedSchedule> schedules,
      ConfirmingPublisher publisher,
      String workQueue,
      String urgentQueue,
      Counters counters,
      DeadLetterSink dead,
      Duration idle) {
    this.idle = idle;
    this.dead = dead;
    this.schedules = List.copyOf(schedules);
    this.publisher = publisher;
    this.workQueue = workQueue;
    this.urgentQueue = urgentQueue;
    this.counters = counters;
    this.thread = Thread.ofPlatform().daemon().name("spool-delayed-mover").unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  private void run() {
    long backoff = 0;
    try (ChannelNotifier.Interest sooner = schedules.getFirst().sooner()) {
      this.sooner = sooner;
      while (stop.getCount() > 0) {
        long seen = sooner.generation(); // before the claim: an add after it wakes the sleep below
        long pause;
        try {
          pause = moveDue();
          backoff = 0;
          if (pause > POLL.toMillis() && !unsettled.isEmpty()) {
            long t0 = System.nanoTime(); // the next claim is a while off: mark the batch done now
            settleBeforeSleep();
            pause = Math.max(1, pause - (System.nanoTime() - t0) / 1_000_000);
          }
        } catch (SpoolException e) {
          backoff = Math.min(5000, Math.max(250, backoff * 2));
          pause = backoff;
          log.warn(
              "cannot move due delayed tasks ({}); trying again in {} ms", e.getMessage(), backoff);
        }
        if (pause > 0 && stop.getCount() > 0) sooner.await(seen, pause);
      }
      settleAll();
    } catch (InterruptedException e) {
      // closing without waiting: what was claimed and not moved is given out again later
    }
  }

  /**
   * Moves one batch of due tasks from each schedule; returns how long to sleep before the next
   * claim, in ms: none while a full batch was due, else until the next task falls due, but at least
   * {@link #POLL} (tasks due close together leave together, as many claims a second as before) and
   * at most {@link #IDLE}.
   */
  long moveDue() throws InterruptedException {
    long pause = idle.toMillis();
    for (SharedSchedule s : schedules) {
      SharedSchedule.Claim claim = moveDue(s);
      if (claim.entries().size() >= BATCH) return 0;
      if (claim.untilNext() != null) {
        pause = Math.min(pause, Math.max(POLL.toMillis(), claim.untilNext().toMillis()));
      }
    }
    return pause;
  }

  /**
   * Claims and publishes one batch, then settles the batch published before it: the broker confirms
   * one batch while the next is claimed, so a backlog of due tasks drains without a confirm round
   * trip between batches. Each schedule has at most one unsettled batch.
   */
  private SharedSchedule.Claim moveDue(SharedSchedule schedule) throws InterruptedException {
    SharedSchedule.Claim claim = schedule.claim(BATCH, LEASE);
    claims++;
    List<SharedSchedule.Entry> due = claim.entries();
    Batch previous = unsettled.remove(schedule);
    try {
      if (!due.isEmpty()) unsettled.put(schedule, publish(schedule, due));
    } finally {
      if (previous != null) previous.settle();
    }
    return claim;
  }

  /** Claims made so far. */
  long claims() {
    return claims;
  }

  private Batch publish(SharedSchedule schedule, List<SharedSchedule.Entry> due)
      throws InterruptedException {
    Batch batch = new Batch(schedule, due.size());
    for (SharedSchedule.Entry e : due) {
      ParkedTask task;
      try {
        task = ParkedTask.fromJson(e.payload());
      } catch (SpoolException bad) {
        log.warn("delayed task {} is not readable ({}); dropped", e.id(), bad.getMessage());
        batch.confirmed.add(e.id()); // done with it: removed from Redis with the batch
        batch.published.countDown();
        continue;
      }
      try {
        publisher.publish(
            task.urgent() ? urgentQueue : workQueue,
            task.toProperties(),
            task.body(),
            () -> {
              batch.confirmed.add(e.id());
              counters.moved(task.name());
              batch.published.countDown();
            });
      } catch (IllegalArgumentException unpublishable) {
        log.warn(
            "delayed task {} cannot be published; dead-lettered: {}",
            e.id(),
            unpublishable.getMessage());
        dead.deadLetter(
            task,
            unpublishable.getMessage(),
            () -> {
              batch.confirmed.add(e.id()); // done with it: removed from Redis with the batch
              batch.published.countDown();
            });
      }
    }
    return batch;
  }

  /**
   * Settles every unsettled batch before a sleep; one that Redis refuses stays, to be settled at
   * the next claim (marking done twice is harmless).
   */
  private void settleBeforeSleep() throws InterruptedException {
    for (var it = unsettled.values().iterator(); it.hasNext(); ) {
      it.next().settle();
      it.remove();
    }
  }

  /** Settles every unsettled batch, on close. */
  private void settleAll() throws InterruptedException {
    for (SharedSchedule s : schedules) {
      Batch b = unsettled.remove(s);
      if (b == null) continue;
      try {
        b.settle();
      } catch (SharedStateException e) {
        log.warn("cannot mark moved delayed tasks done ({}); they are moved again", e.getMessage());
      }
    }
  }

  /** A published batch: its entries are removed from Redis once the broker confirmed them. */
  private static final class Batch {
    final SharedSchedule schedule;
    final ConcurrentLinkedQueue<String> confirmed = new ConcurrentLinkedQueue<>();
    final CountDownLatch published;

    Batch(SharedSchedule schedule, int size) {
      this.schedule = schedule;
      this.published = new CountDownLatch(size);
    }

    void settle() throws InterruptedException {
      if (!published.await(LEASE.toMillis() / 2, TimeUnit.MILLISECONDS)) {
        log.warn(
            "the broker did not confirm every due task in time; the rest are moved again later");
      }
      schedule.done(List.copyOf(confirmed));
    }
  }

  @Override
  public void close() {
    stop.countDown(); // the batch in hand is finished: moved and marked done
    ChannelNotifier.Interest s = sooner;
    if (s != null) s.wake();
    try {
      thread.join(LEASE.toMillis() / 2 + 5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }
}
