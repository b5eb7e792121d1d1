package dev.spool.producer.status;

import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import java.time.Instant;
import java.util.List;

/**
 * What a Spool namespace looks like now: its queues and their counts and rates, the consumers
 * attached, dead letters, locks held and shared objects. Broker figures come from the RabbitMQ
 * management API, which refreshes them every few seconds ({@code collect_statistics_interval}, 5 s
 * by default), so they lag the broker by that much.
 *
 * @param at when it was read
 * @param namespace the namespace
 * @param vhost the RabbitMQ virtual host
 * @param queues the namespace's queues, by name
 * @param consumers consumers attached to them
 * @param locks locks held now
 * @param objects shared objects
 * @param delayed delayed tasks waiting in Redis, per work queue that has any
 * @param paused work queues paused ({@code spool-producer pause}), with who paused them and when
 * @param schedules periodic schedules ({@code spool-producer schedule add})
 * @param scheduler the scheduler that fires them ({@code host/pid thread}), or null when none runs
 * @param progress running tasks that reported progress
 * @param stateLost true when Redis lost the namespace's shared state and no lock is granted until
 *     the loss is accepted ({@code spool-producer state accept-loss})
 * @param history tasks that succeeded and failed per minute over the last hour, oldest first, as
 *     the consumers add them to Redis
 */
public record SpoolStatus(
    Instant at,
    String namespace,
    String vhost,
    List<QueueStatus> queues,
    List<ConsumerStatus> consumers,
    List<HeldLock> locks,
    SharedObjects objects,
    List<DelayedStatus> delayed,
    List<PausedStatus> paused,
    List<ScheduledStatus> schedules,
    String scheduler,
    List<ProgressStatus> progress,
    boolean stateLost,
    List<Minute> history) {

  /**
   * One minute of the history.
   *
   * @param at the minute's start
   * @param succeeded tasks that succeeded in it
   * @param failed handler runs that failed in it
   */
  public record Minute(Instant at, long succeeded, long failed) {}

  /**
   * A running task whose result is kept and that reported progress ({@code ctx.progress}).
   *
   * @param id the task id
   * @param name the task name
   * @param worker the consumer running it
   * @param started when its attempt started
   * @param done units done
   * @param total units in all, 0 when unknown
   * @param message what it said it was doing, or null
   */
  public record ProgressStatus(
      String id,
      String name,
      String worker,
      Instant started,
      long done,
      long total,
      String message) {}

  /**
   * A periodic schedule.
   *
   * @param name its name
   * @param when {@code every 5m} or {@code cron '0 2 * * *' Europe/Paris}
   * @param task the task it runs
   * @param queue the work queue its tasks go to
   * @param nextDue when it next falls due, or null
   * @param lastFired when it last fired, or null
   * @param paused true while paused
   */
  public record ScheduledStatus(
      String name,
      String when,
      String task,
      String queue,
      Instant nextDue,
      Instant lastFired,
      boolean paused) {}

  /**
   * A paused work queue.
   *
   * @param queue the work queue's short name
   * @param by who paused it and when
   */
  public record PausedStatus(String queue, String by) {}

  /**
   * Delayed tasks of one work queue.
   *
   * @param queue the work queue's short name
   * @param waiting tasks waiting to fall due
   * @param moving tasks a consumer is moving to the work queue now
   * @param nextDue when the next one is due, or null
   * @param rateLimited tasks put aside by a rate limit, waiting for their start slot
   */
  public record DelayedStatus(
      String queue, long waiting, long moving, Instant nextDue, long rateLimited) {}

  /** Messages waiting in the dead-letter queues. */
  public long deadLetters() {
    return queues.stream().filter(q -> q.role().equals("dead")).mapToLong(QueueStatus::ready).sum();
  }

  /**
   * One queue.
   *
   * @param name full name
   * @param role work, dead, delay, reply, or other
   * @param type quorum or classic
   * @param ready messages ready to deliver
   * @param unacked messages delivered and not yet acked
   * @param consumers consumers attached
   * @param publishRate messages published per second, recently
   * @param deliverRate messages delivered per second, recently
   * @param ackRate messages acked per second, recently
   */
  public record QueueStatus(
      String name,
      String role,
      String type,
      long ready,
      long unacked,
      int consumers,
      double publishRate,
      double deliverRate,
      double ackRate) {}

  /**
   * One consumer.
   *
   * @param queue the queue it consumes
   * @param connection its connection's name: {@code spool-consumer host/pid} for Spool consumers
   * @param tag its consumer tag
   * @param prefetch its prefetch count
   * @param peer the address it connects from
   */
  public record ConsumerStatus(
      String queue, String connection, String tag, int prefetch, String peer) {}
}
