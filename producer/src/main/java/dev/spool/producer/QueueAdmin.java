package dev.spool.producer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import dev.spool.core.SpoolBrokerBlockedException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.PoisonPill;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.SharedSchedule;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What acts on a work queue as a whole rather than on one call: pausing and resuming it, cancelling
 * tasks by id, stopping its consumers with poison pills, and what the broker says of it. From
 * {@link TaskPool#admin()}, on the pool's connection and shared state; valid while the pool is
 * open.
 *
 * <pre>{@code
 * QueueAdmin admin = pool.admin();
 * admin.pause();                       // consumers stop taking tasks within about 200 ms
 * admin.cancel("report-7");            // whatever its state: delayed, queued or running
 * admin.stopConsumers(admin.consumerCount()); // a poison pill each, behind the work
 * }</pre>
 */
public final class QueueAdmin {
  private static final Logger log = LoggerFactory.getLogger(QueueAdmin.class);

  private final TaskPool pool;
  private final String queueName;
  private final String workQueue;
  private final String producerId;
  private final Clock clock;
  private final ConfirmingPublisher publisher;
  private final Duration timeout;

  QueueAdmin(
      TaskPool pool,
      String queueName,
      String workQueue,
      String producerId,
      Clock clock,
      ConfirmingPublisher publisher,
      Duration timeout) {
    this.pool = pool;
    this.queueName = queueName;
    this.workQueue = workQueue;
    this.producerId = producerId;
    this.clock = clock;
    this.publisher = publisher;
    this.timeout = timeout;
  }

  /** The full name of the work queue. */
  public String workQueue() {
    return workQueue;
  }

  /** How long a cancel is kept by default: a task still queued after that runs after all. */
  public static final Duration DEFAULT_CANCEL_KEEP = Duration.ofDays(1);

  /**
   * Cancels task {@code id}, kept for {@link #DEFAULT_CANCEL_KEEP}. See {@link #cancel(Collection,
   * Duration)}.
   *
   * @return true when it was a delayed task not yet due (removed from Redis for good)
   */
  public boolean cancel(String id) {
    return cancel(List.of(id), DEFAULT_CANCEL_KEEP) == 1;
  }

  /**
   * Cancels tasks by id, whatever their state: a delayed task not yet due is removed from Redis; a
   * queued one (or one waiting to be retried) never runs; a running one has its thread interrupted,
   * as at a time limit, and ends as cancelled, its result discarded. A caller waiting for the
   * result gets a {@link dev.spool.core.TaskCancelledException}; a finished task is not affected.
   * The cancel is kept in Redis for {@code keep} (at most 90 days), so consumers started later
   * honour it too; consumers see it within about 200 ms. Ids nobody knows are accepted (only a task
   * whose result is kept has a record saying whether it exists); {@link #cancelEach} says, id by
   * id, what was found.
   *
   * @return how many of them were delayed tasks not yet due
   * @throws IllegalArgumentException when any id is not a task id: then none is cancelled
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public long cancel(Collection<String> ids, Duration keep) {
    pool.ensureOpen();
    Objects.requireNonNull(keep, "keep");
    if (keep.isZero() || keep.isNegative() || keep.compareTo(MAX_CANCEL_KEEP) > 0) {
      throw new IllegalArgumentException("a cancel is kept from 1 ms to 90 days, not " + keep);
    }
    if (ids.isEmpty()) return 0;
    ids.forEach(dev.spool.Names::taskId); // all checked before anything is stored
    try {
      SharedSchedule delayed = pool.state().schedule(Topology.delayedSchedule(queueName));
      SharedSchedule limited = pool.state().schedule(Topology.rateLimitedSchedule(queueName));
      var set = pool.state().expiringSet(Topology.CANCELLED_SET);
      List<String> all = List.copyOf(ids);
      long wereDelayed = 0;
      for (int i = 0; i < all.size(); i += CANCEL_BATCH) {
        List<String> batch = all.subList(i, Math.min(all.size(), i + CANCEL_BATCH));
        set.add(batch, keep); // first: a task being moved right now is still caught
        wereDelayed += delayed.cancel(batch);
        limited.cancel(batch); // put aside by a rate limit: caught by the set anyway
        // A kept task not started yet is recorded as cancelled now: one taken out of Redis above
        // never reaches a consumer to say so.
        pool.state().taskRecords().cancelIfWaiting(batch, CANCELLED_BEFORE_START);
      }
      return wereDelayed;
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot cancel " + ids.size() + " task(s): " + e.getMessage(), e);
    }
  }

  private static final int CANCEL_BATCH = 10_000;

  /** The longest a cancel is kept. */
  public static final Duration MAX_CANCEL_KEEP = Duration.ofDays(90);

  /**
   * Cancels tasks as {@link #cancel(Collection, Duration)} does, and says for each id what was
   * found: a task whose record says it has ended already is left alone ({@link
   * CancelResult#ENDED}); the others are cancelled. The id of a workflow cancels the workflow: it
   * advances no further, its record reads cancelled, and each of its members not yet ended is
   * cancelled by its id ({@code <workflow>.<node>}). Reads each id's record: for a few ids at a
   * time (a command, a dashboard), not for a whole map.
   *
   * @return each id's result, in the order given
   * @throws IllegalArgumentException when any id is not a task id: then none is cancelled
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public Map<String, CancelResult> cancelEach(List<String> ids, Duration keep) {
    pool.ensureOpen();
    ids.forEach(dev.spool.Names::taskId);
    Map<String, CancelResult> results = new java.util.LinkedHashMap<>();
    List<String> toCancel = new ArrayList<>();
    try {
      for (String id : ids) {
        if (results.containsKey(id)) continue;
        var record = pool.state().taskRecords().read(id);
        if (record.isPresent() && record.get().ended()) {
          results.put(id, CancelResult.ENDED);
        } else if (record.isPresent() && WORKFLOW.equals(record.get().name())) {
          // A workflow advances no further, and every member not yet ended is cancelled by id.
          var c = pool.state().workflows().cancel(id, CANCELLED_WORKFLOW, keep);
          results.put(id, c.cancelled() ? CancelResult.CANCELLED : CancelResult.ENDED);
          for (int node : c.unfinished()) toCancel.add(id + "." + node);
        } else {
          results.put(id, record.isPresent() ? CancelResult.CANCELLED : CancelResult.NO_RECORD);
          toCancel.add(id);
        }
      }
      if (toCancel.isEmpty()) return results;
      // First, as cancel does: a delayed task being moved right now is still caught.
      pool.state().expiringSet(Topology.CANCELLED_SET).add(toCancel, keep);
      SharedSchedule delayed = pool.state().schedule(Topology.delayedSchedule(queueName));
      for (String id : toCancel) { // one by one, to say which ones were delayed
        if (!results.containsKey(id)) continue; // a workflow's member: cancelled below, in bulk
        if (delayed.cancel(id)) results.put(id, CancelResult.DELAYED_REMOVED);
      }
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot cancel " + ids.size() + " task(s): " + e.getMessage(), e);
    }
    cancel(toCancel, keep);
    return results;
  }

  /** The name a workflow's own record has. */
  private static final String WORKFLOW = "workflow";

  /** What a cancelled workflow's record says as its error. */
  private static final String CANCELLED_WORKFLOW =
      cancelledError("the workflow was cancelled; its members not yet ended were cancelled too");

  /** What a task cancelled before it started says as its error: the same for every one. */
  private static final String CANCELLED_BEFORE_START =
      cancelledError("cancelled before it started");

  /** A cancel's error as a record keeps it: JSON of a remote {@code TaskCancelledException}. */
  private static String cancelledError(String message) {
    return new String(
        new JsonCodec()
            .encode(
                new dev.spool.core.RemoteError(
                    dev.spool.core.TaskCancelledException.REMOTE_TYPE, message, null, null, null)),
        java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Pauses this pool's work queue: every consumer of it, on any host, stops taking tasks within
   * about 200 ms, without stopping (tasks prefetched and not started go back to the queue, running
   * ones finish); consumers started later start paused. Producers may go on publishing: the tasks
   * wait in the queue. The pause is kept in Redis until {@link #resume}. While paused, consumers
   * are not subscribed, so pills from {@code stop} wait too.
   *
   * @return false when it was paused already
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public boolean pause() {
    pool.ensureOpen();
    String mark = "paused by " + producerId + " at " + clock.instant();
    try {
      boolean paused = pauseFlag().setIfAbsent(mark, MAX_PAUSE);
      if (paused) pool.state().announceControl();
      return paused;
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException("cannot pause " + workQueue + ": " + e.getMessage(), e);
    }
  }

  /** A pause lasts at most this long, then lifts by itself. */
  public static final Duration MAX_PAUSE = Duration.ofDays(365);

  /**
   * Resumes this pool's work queue after {@link #pause}: consumers take tasks again within about
   * 200 ms.
   *
   * @return false when it was not paused
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public boolean resume() {
    pool.ensureOpen();
    try {
      boolean resumed = pauseFlag().delete();
      if (resumed) pool.state().announceControl();
      return resumed;
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException("cannot resume " + workQueue + ": " + e.getMessage(), e);
    }
  }

  /**
   * Who paused this pool's work queue and when, or empty when it is not paused.
   *
   * @throws SpoolConnectionException when Redis cannot be reached
   */
  public java.util.Optional<String> pausedBy() {
    pool.ensureOpen();
    try {
      return pauseFlag().get();
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot read the pause flag of " + workQueue + ": " + e.getMessage(), e);
    }
  }

  private dev.spool.SharedValue<String> pauseFlag() {
    return pool.state().value(Topology.pauseFlag(queueName), String.class);
  }

  /** Consumers attached to the work queue now, as the broker reports it. */
  public int consumerCount() {
    return counts("the consumer count").getConsumerCount();
  }

  /** Messages ready in the work queue now, as the broker reports it. */
  public long queueDepth() {
    return counts("the depth").getMessageCount();
  }

  /** The broker's counts of the work queue, on a channel of their own. */
  private AMQP.Queue.DeclareOk counts(String what) {
    try (Channel ch = pool.session().connection().createChannel()) {
      return ch.queueDeclarePassive(workQueue);
    } catch (IOException | TimeoutException | ShutdownSignalException e) {
      // A connection being recovered refuses new channels: the caller may retry in a moment.
      throw new SpoolConnectionException(
          "cannot read " + what + " of " + workQueue + ": " + AmqpConnector.reason(e), e);
    }
  }

  /**
   * Publishes {@code count} poison pills behind the work already queued and waits until the broker
   * confirmed them. Each stops one consumer that started before now. The pills are dated by the
   * Redis server's clock, which consumers date their start by, so hosts whose clocks disagree still
   * judge them right; when Redis does not answer, by this host's clock (with a warning: a consumer
   * whose clock is ahead may drop them as stale).
   *
   * @return {@code count}
   * @throws IllegalArgumentException when {@code count} is negative
   */
  public int stopConsumers(int count) {
    pool.ensureOpen();
    Instant issuedAt;
    String clockSource;
    try {
      issuedAt = pool.state().serverTime();
      clockSource = PoisonPill.CLOCK_REDIS;
    } catch (RuntimeException e) {
      log.warn(
          "Redis does not answer ({}); dating the pills by this host's clock, so a consumer whose"
              + " clock is ahead may drop them as stale",
          e.getMessage());
      issuedAt = clock.instant();
      clockSource = PoisonPill.CLOCK_HOST;
    }
    return stopConsumers(count, issuedAt, clockSource);
  }

  /** Pills dated {@code issuedAt} by {@code clockSource} ({@link PoisonPill}). */
  private int stopConsumers(int count, Instant issuedAt, String clockSource) {
    if (count < 0) throw new IllegalArgumentException("pill count must be >= 0, was " + count);
    List<ConfirmingPublisher.Message> pills = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PoisonPill pill = PoisonPill.issue(issuedAt, producerId, clockSource);
      pills.add(new ConfirmingPublisher.Message(workQueue, pill.toProperties(), pill.body()));
    }
    try {
      publisher.publishAllConfirmed(pills, timeout, count + " poison pill(s) to " + workQueue);
    } catch (SpoolBrokerBlockedException e) {
      throw new SpoolBrokerBlockedException(
          e.getMessage()
              + "; the pills may still reach consumers once the alarm clears: check"
              + " 'spool-producer status' before sending more",
          e.alarm());
    }
    log.info("sent {} poison pill(s) to {}", count, workQueue);
    return count;
  }
}
