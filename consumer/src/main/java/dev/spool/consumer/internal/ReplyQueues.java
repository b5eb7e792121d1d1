package dev.spool.consumer.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.spool.core.wire.Headers;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells whether anybody can still receive results on a reply queue, so that tasks of a producer
 * that died are skipped instead of run for nobody. A reply queue is abandoned when it is gone, or
 * when it has had no consumer for {@link #GRACE} (longer than a producer takes to reconnect), or
 * {@link #CLUSTER_GRACE} on a cluster, where a producer whose node stopped reconnects to another
 * and waits for its reply queue to elect a new leader before it consumes again. The broker is asked
 * at most once per {@link #RECHECK} per reply queue, so a consumer pays no round trip per task: the
 * first time it meets a reply queue, a worker waits for the answer; after that, a stale answer is
 * used while a fresh one is asked for in the background, so no task waits for the broker (a worker
 * once paid the round trip every second, and every other worker waited behind it). Thread-safe:
 * worker threads ask just before they run a task, so that tasks prefetched before the producer died
 * are skipped too. Closing stops the background refreshes and closes the probe's channel.
 */
final class ReplyQueues implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplyQueues.class);

  /** How long a reply queue may have no consumer before its tasks are skipped. */
  static final Duration GRACE = Duration.ofSeconds(10);

  /**
   * The same on a cluster (quorum reply queues). 10 s was too short there: in one run of
   * bin/spool-cluster-test, the producer of a map took more than 10 s to consume again after the
   * node holding its reply queue stopped, and 140 of its tasks were skipped for nobody.
   */
  static final Duration CLUSTER_GRACE = Duration.ofSeconds(60);

  /** How long an answer about one reply queue is reused. */
  static final Duration RECHECK = Duration.ofSeconds(1);

  private static final int MAX_TRACKED = 10_000;

  /** Asks the broker how many consumers a queue has; -1 when the queue does not exist. */
  @FunctionalInterface
  interface Probe extends AutoCloseable {
    int consumers(String queue) throws IOException;

    /** Lets go of what the probe holds (a channel). */
    @Override
    default void close() {}
  }

  private record Seen(long checkedAt, long unattendedSince, boolean abandoned) {}

  private final Probe probe;
  private final Clock clock;
  private final Map<String, Seen> seen = new HashMap<>();
  private final java.util.Set<String> refreshing = new java.util.HashSet<>(); // guarded by this
  private final Duration grace;
  private final java.util.concurrent.Executor background; // runs the refreshes
  private final Runnable stopBackground;

  /** Refreshes run on the caller's thread (for tests). */
  ReplyQueues(Probe probe, Clock clock) {
    this(probe, clock, GRACE);
  }

  /** Refreshes run on the caller's thread (for tests). */
  ReplyQueues(Probe probe, Clock clock, Duration grace) {
    this(probe, clock, grace, Runnable::run);
  }

  ReplyQueues(Probe probe, Clock clock, Duration grace, java.util.concurrent.Executor background) {
    this(probe, clock, grace, background, () -> {});
  }

  private ReplyQueues(
      Probe probe,
      Clock clock,
      Duration grace,
      java.util.concurrent.Executor background,
      Runnable stopBackground) {
    this.probe = probe;
    this.clock = clock;
    this.grace = grace;
    this.background = background;
    this.stopBackground = stopBackground;
  }

  /**
   * Probes through a channel of {@code connection} of its own, reopened after a 404; {@code grace}
   * is {@link #GRACE} or {@link #CLUSTER_GRACE}.
   */
  static ReplyQueues on(Connection connection, Clock clock, Duration grace) {
    java.util.concurrent.ExecutorService refreshes =
        java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("spool-reply-queues").unstarted(r));
    return new ReplyQueues(
        new ChannelProbe(connection), clock, grace, refreshes, refreshes::shutdownNow);
  }

  /** Stops the background refreshes and closes the probe; later checks run on the caller. */
  @Override
  public void close() {
    stopBackground.run();
    probe.close();
  }

  /**
   * True when nobody can receive results on {@code replyQueue}. When the broker cannot be asked,
   * false: a task is never skipped on a guess.
   */
  boolean abandoned(String replyQueue) {
    Seen last;
    synchronized (this) {
      last = seen.get(replyQueue);
      if (last != null) {
        boolean stale = clock.millis() - last.checkedAt() >= RECHECK.toMillis();
        if (!stale || !refreshing.add(replyQueue)) return last.abandoned();
      }
    }
    if (last == null) return check(replyQueue); // the first time: wait for the answer
    try {
      background.execute(() -> check(replyQueue));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      check(replyQueue);
    }
    Seen now = seen(replyQueue); // the fresh answer when it came at once, else the last
    return now != null && now.abandoned();
  }

  /**
   * How much longer {@code replyQueue} may go unread before its tasks are skipped, when it has had
   * no consumer at the last check (its producer died, or is reconnecting); empty when it has one,
   * was not checked yet, or is abandoned already. From the last answer: no round trip.
   */
  synchronized java.util.Optional<Duration> unattended(String replyQueue) {
    Seen s = seen.get(replyQueue);
    if (s == null || s.abandoned() || s.unattendedSince() < 0) return java.util.Optional.empty();
    long left = grace.toMillis() - (clock.millis() - s.unattendedSince());
    return java.util.Optional.of(Duration.ofMillis(Math.max(0, left)));
  }

  private synchronized Seen seen(String replyQueue) {
    return seen.get(replyQueue);
  }

  /** Asks the broker about {@code replyQueue} and records the answer; false when it cannot. */
  private boolean check(String replyQueue) {
    int consumers;
    try {
      consumers = probe.consumers(replyQueue);
    } catch (IOException | RuntimeException e) {
      log.debug("cannot check reply queue {}: {}", replyQueue, e.toString());
      synchronized (this) {
        refreshing.remove(replyQueue);
        Seen last = seen.get(replyQueue);
        if (last != null) { // the last answer holds until the next check
          seen.put(replyQueue, new Seen(clock.millis(), last.unattendedSince(), last.abandoned()));
        }
      }
      return false;
    }
    return record(replyQueue, consumers);
  }

  private synchronized boolean record(String replyQueue, int consumers) {
    refreshing.remove(replyQueue);
    long now = clock.millis();
    Seen last = seen.get(replyQueue);
    long unattendedSince =
        consumers != 0
            ? -1
            : last == null || last.unattendedSince() < 0 ? now : last.unattendedSince();
    boolean abandoned =
        consumers < 0 || (consumers == 0 && now - unattendedSince >= grace.toMillis());
    if (seen.size() >= MAX_TRACKED) seen.clear();
    seen.put(replyQueue, new Seen(now, unattendedSince, abandoned));
    if (abandoned && (last == null || !last.abandoned())) {
      log.warn(
          "nobody receives results on {} ({}): its tasks are skipped, not run",
          replyQueue,
          consumers < 0 ? "the queue is gone" : "no consumer for " + grace.toSeconds() + " s");
    }
    return abandoned;
  }

  /** A passive declare on a channel of its own; a 404 closes that channel, so it is reopened. */
  private static final class ChannelProbe implements Probe {
    private final Connection connection;
    private Channel channel;

    ChannelProbe(Connection connection) {
      this.connection = connection;
    }

    /**
     * Synchronized: a worker's first check and the background refreshes may ask at once, and they
     * share the one channel (a second would be opened and left open).
     */
    @Override
    public synchronized int consumers(String queue) throws IOException {
      if (channel == null || !channel.isOpen()) channel = connection.createChannel();
      try {
        return channel.queueDeclarePassive(queue).getConsumerCount();
      } catch (IOException e) {
        if (isNotFound(e)) return -1;
        throw e;
      }
    }

    @Override
    public synchronized void close() {
      if (channel == null || !channel.isOpen()) return;
      try {
        channel.close();
      } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
        log.debug("closing the reply-queue probe's channel: {}", e.toString());
      }
    }

    /** The broker closed the channel with 404 NOT_FOUND: the queue does not exist. */
    private static boolean isNotFound(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof com.rabbitmq.client.ShutdownSignalException s
            && s.getReason() instanceof com.rabbitmq.client.AMQP.Channel.Close c) {
          return c.getReplyCode() == 404;
        }
      }
      return false;
    }
  }

  /**
   * True when nobody can receive the task's result any more (its producer died) and it did not ask
   * to run anyway ({@link Headers#IF_ABANDONED}): it is then skipped.
   */
  boolean abandoned(Delivery d) {
    return !runsAnyway(d) && abandoned(d.replyTo());
  }

  /**
   * Whether a task runs whoever reads its reply queue: it has none, its result is kept (someone can
   * still read it), or it asked to ({@link Headers#IF_ABANDONED}).
   */
  private static boolean runsAnyway(Delivery d) {
    String replyTo = d.replyTo();
    return replyTo == null
        || replyTo.isEmpty()
        || d.keepResult() != null
        || Headers.IF_ABANDONED_RUN.equals(
            Headers.string(d.props().getHeaders(), Headers.IF_ABANDONED));
  }

  /**
   * Times a task is set aside for an unread reply queue before it runs anyway: enough for the
   * cluster's grace in steps of {@link #DEFER_STEP}.
   */
  static final int MAX_DEFERRALS = 15;

  /**
   * The longest a task is set aside at a time: a producer that was only reconnecting (on a cluster,
   * it may take many seconds) gets its tasks run soon after it reads again.
   */
  static final Duration DEFER_STEP = Duration.ofSeconds(5);

  /**
   * Sets the task aside until its producer's reply queue has been unread for the whole grace (then
   * it is skipped as abandoned) or is read again (then it runs), when the queue has no reader now:
   * a producer that died leaves its tasks in the queue, and running them for nobody held up the
   * next producer's tasks for the whole grace. Empty when it should run now (its producer reads, or
   * it was set aside enough times); else how long to set it aside ({@code Outcomes.defer}).
   */
  java.util.Optional<Duration> deferral(Delivery d) {
    if (runsAnyway(d) || d.deferrals() >= MAX_DEFERRALS) return java.util.Optional.empty();
    return unattended(d.replyTo())
        .map(left -> (left.compareTo(DEFER_STEP) < 0 ? left : DEFER_STEP).plus(DEFER_SLACK));
  }

  /** Past the grace by this much when a set-aside task comes back: its queue is judged by then. */
  private static final Duration DEFER_SLACK = Duration.ofSeconds(1);
}
