package dev.spool.consumer.internal;

import dev.spool.consumer.ConsumerStats;
import dev.spool.core.metrics.SpoolMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * What a consumer did, counted as it happens: totals for {@link ConsumerStats}, and the same per
 * task name as Micrometer meters ({@code spool_tasks_*_total{queue,task}}, {@code
 * spool_task_duration_seconds}, {@code spool_tasks_in_flight}). Task names the consumer does not
 * know are counted as {@code unknown}, so bad input cannot grow the number of series. Thread-safe.
 */
public final class Counters {
  static final String UNKNOWN = "unknown";

  final LongAdder received = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder handedBack = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder abandoned = new LongAdder();
  final LongAdder stalePills = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder requeued = new LongAdder();
  final LongAdder idempotentSkips = new LongAdder();
  final LongAdder cancelled = new LongAdder();
  private final AtomicInteger inFlight = new AtomicInteger();

  private final MeterRegistry registry;
  private final String queue;
  private final Predicate<String> known;
  private final Map<String, Map<String, Counter>> byTask = new ConcurrentHashMap<>();
  private final Map<String, Timer[]> durations = new ConcurrentHashMap<>(); // {success, failure}
  private final Counter handedBackMeter;
  private final Counter stalePillsMeter;

  /**
   * @param queue the work queue's full name, a tag on every task meter
   * @param known whether a task name is registered; others are tagged {@value #UNKNOWN}
   */
  public Counters(MeterRegistry registry, String queue, Predicate<String> known) {
    this.registry = registry;
    this.queue = queue;
    this.known = known;
    this.handedBackMeter =
        Counter.builder("spool.tasks.handed.back")
            .description(
                "Prefetched tasks returned to the queue unstarted: stopping, pausing, or narrowing"
                    + " the prefetch window")
            .tag("queue", queue)
            .register(registry);
    this.stalePillsMeter =
        Counter.builder("spool.pills.stale")
            .description("Poison pills dropped because they were older than this consumer")
            .tag("queue", queue)
            .register(registry);
    Gauge.builder("spool.tasks.in.flight", inFlight, AtomicInteger::get)
        .description("Tasks running now")
        .tag("queue", queue)
        .register(registry);
  }

  void received(String task) {
    received.increment();
    meter("received", task, "Task deliveries taken from the queue").increment();
  }

  void succeeded(String task) {
    succeeded.increment();
    meter("succeeded", task, "Tasks whose result was confirmed").increment();
  }

  void failed(String task) {
    failed.increment();
    meter("failed", task, "Handler runs that threw (each is retried or dead-lettered)").increment();
  }

  void retried(String task) {
    retried.increment();
    meter("retried", task, "Failed tasks sent to a delay queue for another attempt").increment();
  }

  void deadLettered(String task, String reason) {
    deadLettered.increment();
    byTask
        .computeIfAbsent("dead.lettered/" + reason, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            label(task),
            t ->
                Counter.builder("spool.tasks.dead.lettered")
                    .description("Tasks sent to the dead-letter queue, by reason")
                    .tags("queue", queue, "task", t, "reason", reason)
                    .register(registry))
        .increment();
  }

  void rejected() {
    rejected.increment(); // also dead-lettered, which the meters count by reason
  }

  void expired(String task) {
    expired.increment();
    meter("expired", task, "Tasks dropped because their producer's deadline had passed")
        .increment();
  }

  void abandoned(String task) {
    abandoned.increment();
    meter("abandoned", task, "Tasks skipped because nobody could receive their result any more")
        .increment();
  }

  void deferred(String task) {
    meter(
            "deferred",
            task,
            "Tasks set aside because their producer's reply queue had no reader (died or"
                + " reconnecting)")
        .increment();
  }

  void timedOut(String task) {
    timedOut.increment();
    meter("timed.out", task, "Handler runs interrupted at their time limit").increment();
  }

  /** A task was cancelled by id: skipped before it started, or interrupted while running. */
  void cancelled(String task) {
    cancelled.increment();
    meter("cancelled", task, "Tasks cancelled by id, before they started or while running")
        .increment();
  }

  /** A task's rate limit put it aside until its start slot. */
  void rateLimited(String task) {
    meter("rate.limited", task, "Tasks put aside in Redis until their rate limit's start slot")
        .increment();
  }

  /** A delayed task fell due and was moved from Redis to the work queue. */
  void moved(String task) {
    meter("moved", task, "Delayed tasks moved from Redis to the work queue when due").increment();
  }

  void requeued(String task) {
    requeued.increment();
    meter("requeued", task, "Tasks put back because a service they needed (Redis) failed")
        .increment();
  }

  void idempotentSkip(String task) {
    idempotentSkips.increment();
    meter("idempotent.skips", task, "Tasks not run: their idempotency key had succeeded")
        .increment();
  }

  void handedBack() {
    handedBack.increment();
    handedBackMeter.increment();
  }

  void stalePill() {
    stalePills.increment();
    stalePillsMeter.increment();
  }

  /** Where each run's start and end are written for the task list; null when off. */
  private volatile IndexWriter index;

  void index(IndexWriter writer) {
    this.index = writer;
  }

  /** Told each run's length, to choose the prefetch window; null when the window is set. */
  private volatile PrefetchTuner tuner;

  void tuner(PrefetchTuner tuner) {
    this.tuner = tuner;
  }

  /** Run {@code attempt} of task {@code id} starts. */
  void started(
      String id,
      String task,
      int attempt,
      com.rabbitmq.client.AMQP.BasicProperties props,
      byte[] body) {
    inFlight.incrementAndGet();
    PrefetchTuner tune = tuner;
    if (tune != null) tune.started();
    IndexWriter i = index;
    if (i != null) i.started(id, task, attempt, props, body);
  }

  /**
   * A run of a registered task ended after {@code nanos}; {@code outcome} is success, failure, or
   * null when the handler was not called (bad input, an idempotent skip): no duration then.
   */
  void ended(String id, String task, String outcome, long nanos) {
    inFlight.decrementAndGet();
    PrefetchTuner tune = tuner;
    if (tune != null) tune.stopped();
    IndexWriter i = index;
    if (i != null) {
      i.ended(
          id,
          outcome == null ? "skipped" : "success".equals(outcome) ? "succeeded" : "failed",
          nanos);
    }
    if (outcome == null) return;
    if (tune != null) tune.ended(nanos);
    Timer[] pair =
        durations.computeIfAbsent(
            task, t -> new Timer[] {duration(t, "success"), duration(t, "failure")});
    pair["success".equals(outcome) ? 0 : 1].record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer duration(String task, String outcome) {
    return SpoolMeters.timer("spool.task.duration")
        .description("Handler run time, from start to result or error")
        .tags("queue", queue, "task", task, "outcome", outcome)
        .register(registry);
  }

  private Counter meter(String what, String task, String description) {
    return byTask
        .computeIfAbsent(what, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(
            label(task),
            t ->
                Counter.builder("spool.tasks." + what)
                    .description(description)
                    .tags("queue", queue, "task", t)
                    .register(registry));
  }

  private String label(String task) {
    return task != null && known.test(task) ? task : UNKNOWN;
  }

  public ConsumerStats snapshot() {
    return new ConsumerStats(
        received.sum(),
        succeeded.sum(),
        failed.sum(),
        rejected.sum(),
        handedBack.sum(),
        expired.sum(),
        stalePills.sum(),
        retried.sum(),
        deadLettered.sum(),
        timedOut.sum(),
        requeued.sum(),
        idempotentSkips.sum(),
        abandoned.sum(),
        cancelled.sum());
  }
}
