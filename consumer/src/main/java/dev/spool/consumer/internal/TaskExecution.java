package dev.spool.consumer.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.HandlerRegistry.RegisteredTask;
import dev.spool.SharedValue;
import dev.spool.StateConnectionException;
import dev.spool.TaskContext;
import dev.spool.TaskHandler;
import dev.spool.TaskTimeLimitException;
import dev.spool.consumer.RateLimit;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.RemoteError;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.wire.StageEvents;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.Tracing;
import dev.spool.state.internal.TaskRecords;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one delivered task on a worker thread: reads the input, calls the handler (once per input
 * for a chunk), and settles the delivery through {@link Outcomes} exactly once.
 *
 * <p>Time limit: when the handler runs past it, its thread is interrupted. If it then ends, the run
 * counts as a timeout. If it ignores the interrupt for a grace period, the delivery is settled as a
 * timeout anyway, the thread is abandoned and the pool starts a replacement, so the consumer keeps
 * its concurrency.
 *
 * <p>Unstarted executions are handed back to the queue when the consumer stops ({@link
 * #deliveryTag()}).
 */
final class TaskExecution implements Runnable, TaskContext, WorkerPool.Prioritized {
  private static final Logger log = LoggerFactory.getLogger(TaskExecution.class);

  /** How long an interrupted handler may take to end before its thread is abandoned, at most. */
  static final Duration GRACE = Duration.ofSeconds(5);

  private final TaskMessage task;
  private final Delivery delivery;
  private final RegisteredTask<?, ?> registered;
  private final Outcomes outcomes;
  private final Counters counters;
  private final WorkerPool pool;
  private final Duration timeLimit;
  private final Duration grace;
  private final AtomicBoolean settled = new AtomicBoolean();
  private final TimeLimit watchdog;
  private final Cancellations cancellations;
  private volatile boolean cancelled; // by id, while running
  private final ScheduledExecutorService timer;
  private ProgressReports progress; // made on the first report of a kept task
  private volatile AloneGate.Hold hold; // its place in the gate while it runs

  /** Progress of a running task is written to Redis at most once per this. */
  static final Duration PROGRESS_EVERY = Duration.ofMillis(500);

  // System.nanoTime() readings for StageEvents: the reader thread took it; made it (and hands it to
  // the pool next); a worker took it.
  private final long delivered;
  private final long dispatched = System.nanoTime();
  private long picked; // written and read on the worker's thread

  private String outcome; // of the handler's run, for metrics; null while it has not run
  private Throwable error; // why it failed, for its trace

  TaskExecution(
      TaskMessage task,
      Delivery delivery,
      RegisteredTask<?, ?> registered,
      Outcomes outcomes,
      Counters counters,
      ScheduledExecutorService timer,
      WorkerPool pool,
      Cancellations cancellations,
      long delivered) {
    this.task = task;
    this.delivered = delivered;
    this.cancellations = cancellations;
    this.timer = timer;
    this.delivery = delivery;
    this.registered = registered;
    this.outcomes = outcomes;
    this.counters = counters;
    this.pool = pool;
    this.timeLimit = outcomes.settings().timeLimitFor(task.name());
    this.grace = GRACE;
    this.watchdog =
        new TimeLimit(
            TimeLimit.Scheduler.of(timer),
            timeLimit,
            grace,
            settled::get,
            this::settle,
            () ->
                log.warn(
                    "task {} ({}) ran past its time limit of {}; interrupting it",
                    task.id(),
                    task.name(),
                    timeLimit),
            this::settleAbandoned);
  }

  long deliveryTag() {
    return delivery.tag();
  }

  Delivery delivery() {
    return delivery;
  }

  @Override
  public boolean booked() {
    return delivery.rateSlotBooked();
  }

  /** Its priority, 0 to 9, from the AMQP priority property (0 without one). */
  @Override
  public int priority() {
    Integer p = delivery.props().getPriority();
    return p == null ? 0 : Math.max(0, Math.min(dev.spool.core.wire.Topology.MAX_PRIORITY, p));
  }

  @Override
  public void run() {
    picked = System.nanoTime();
    if (pool.holding()) { // the queue was paused after this task was prefetched
      if (settle()) outcomes.handBack(delivery);
      return;
    }
    if (outcomes.replyQueues().abandoned(delivery)) {
      // Its producer died: nobody would receive the result. Skipped, counted, acked.
      if (settle()) {
        counters.abandoned(task.name());
        outcomes.acks().ack(delivery.tag());
      }
      return;
    }
    if (cancellations.cancelled(task.id())) {
      if (settle()) outcomes.cancelled(delivery, false);
      return;
    }
    java.util.Optional<java.time.Duration> aside = outcomes.replyQueues().deferral(delivery);
    if (aside.isPresent()) { // its producer does not read its results now
      if (settle()) outcomes.defer(delivery, aside.get());
      return;
    }
    if (putAsideByRateLimit()) return;
    if (endedByItsRecord()) return;
    Suspects suspects = outcomes.suspects();
    Suspects.Check check = suspects.check(delivery);
    if (check.verdict() == Suspects.Verdict.CULPRIT) {
      if (settle()) culprit(check.crashesAlone());
      suspects.ended(delivery);
      return;
    }
    AloneGate.Hold place;
    try {
      place =
          check.verdict() == Suspects.Verdict.SUSPECT
              ? pool.gate().enterAlone()
              : pool.gate().enterShared();
    } catch (InterruptedException e) { // the pool stops: it never started
      Thread.currentThread().interrupt();
      if (settle()) outcomes.handBack(delivery);
      return;
    }
    hold = place;
    try {
      if (check.verdict() == Suspects.Verdict.SUSPECT) {
        if (place.alone()) {
          suspects.startAlone(delivery);
        } else {
          log.warn(
              "task {} ({}) came back unacked but could not run alone within {} (a running task"
                  + " waits for work of this consumer?); running it beside the others, uncounted",
              task.id(),
              task.name(),
              pool.gate().patience());
        }
      }
      runStarted();
    } finally {
      place.close();
      suspects.ended(delivery);
    }
  }

  /**
   * Its consumer died {@code times} times while it ran alone: it is what kills them. Dead-lettered
   * with that reason, so that the tasks queued beside it run.
   */
  private void culprit(long times) {
    log.warn(
        "task {} ({}): its consumer died {} times while it ran alone; dead-lettered",
        task.id(),
        task.name(),
        times);
    outcomes.deadLetter(
        delivery,
        Reason.CRASHED,
        new RemoteError(
            "ConsumerDied",
            dev.spool.core.DeadLetter.crashedMessage(times),
            null,
            outcomes.workerId(),
            null),
        task.attempt());
  }

  /** From its registration as running to its settlement: the handler runs, under its limit. */
  private void runStarted() {
    Cancellations.Running self = this::cancelWhileRunning;
    if (!cancellations.started(task.id(), task.name(), task.attempt(), self)) {
      if (settle()) outcomes.cancelled(delivery, false);
      return;
    }
    watchdog.start();
    long start = System.nanoTime();
    counters.started(task.id(), task.name(), task.attempt(), delivery.props(), delivery.body());
    MDC.put("task", task.id());
    Tracing.Run trace =
        outcomes
            .tracing()
            .process(
                delivery.props(),
                task.name(),
                task.id(),
                outcomes.workQueue(),
                task.attempt(),
                outcomes.workerId());
    try {
      execute();
    } catch (VirtualMachineError e) {
      // Out of memory or broken: this JVM cannot be trusted with the task; another consumer can.
      if (settle()) outcomes.acks().reject(delivery.tag(), true);
      throw e;
    } catch (RuntimeException | Error e) {
      // A handler threw an Error (AssertionError, StackOverflowError, a missing class), or Spool
      // failed: the delivery must still be settled, or it would stay unacked until the consumer
      // dies.
      outcome = "failure";
      log.warn("task {} ({}) failed with {}", task.id(), task.name(), e.toString());
      failed(e, null);
    } finally {
      synchronized (this) {
        if (progress != null) progress.close();
      }
      cancellations.finished(task.id(), self);
      trace.outcome(outcome, error);
      trace.close();
      MDC.remove("task");
      counters.ended(task.id(), task.name(), outcome, System.nanoTime() - start);
      if (watchdog.finish()) pool.releaseReplacement(); // its replacement thread can go
    }
  }

  /**
   * Under a rate limit, books this task a start slot in Redis (one round trip) unless it has one;
   * when the slot is not now, the task is put aside in Redis until then and true returned. Never
   * sleeps.
   */
  private boolean putAsideByRateLimit() {
    RateLimit limit = outcomes.settings().rateLimitFor(task.name());
    if (limit == null || delivery.rateSlotBooked()) return false;
    String key = delivery.rateKey();
    String name =
        task.name().matches("[A-Za-z0-9._-]{1,64}") ? task.name() : Markers.sha256(task.name());
    String bucket =
        key == null
            ? "task." + name
            : "task." + name + ".key." + Markers.sha256(key).substring(0, 32);
    Duration wait;
    try {
      wait = outcomes.state().rateSchedule(bucket).reserve(limit.count(), limit.period());
    } catch (StateConnectionException e) {
      if (settle()) outcomes.requeueLater(delivery, e);
      return true;
    }
    if (wait.toMillis() < 1) return false;
    if (settle()) outcomes.rateLimited(delivery, wait);
    return true;
  }

  /**
   * For a task whose result is kept: records its start, unless its record says it succeeded or was
   * cancelled already (then it is settled as that, not run) and returns true. A Redis outage puts
   * the task back for later.
   */
  private boolean endedByItsRecord() {
    java.time.Duration keep = delivery.keepResult();
    if (keep == null) return false;
    java.util.Optional<TaskRecords.Record> ended;
    try {
      ended =
          outcomes
              .state()
              .taskRecords()
              .start(
                  task.id(),
                  task.name(),
                  delivery.attempt(),
                  outcomes.workerId(),
                  keep,
                  delivery.submission());
    } catch (dev.spool.SharedStateException e) {
      if (settle()) outcomes.requeueLater(delivery, e);
      return true;
    }
    if (ended.isEmpty()) return false;
    if (settle()) {
      if (TaskRecords.SUCCEEDED.equals(ended.get().state())) {
        outcomes.alreadySucceeded(delivery, ended.get().result());
      } else {
        outcomes.cancelled(delivery, false);
      }
    }
    return true;
  }

  private void execute() {
    String key = delivery.idempotencyKey();
    SharedValue<Markers.Marker> marker = null;
    if (key != null) {
      try {
        marker = outcomes.state().value("idem." + Markers.sha256(key), Markers.Marker.class);
        if (!claim(marker)) return;
      } catch (StateConnectionException e) {
        if (settle()) outcomes.requeueLater(delivery, e);
        return;
      }
    }
    List<Object> inputs;
    try {
      inputs = readInputs();
    } catch (SpoolCodecException e) {
      counters.rejected();
      log.warn(
          "task {} ({}): bad input, dead-lettered: {}", task.id(), task.name(), e.getMessage());
      Markers.release(marker);
      if (settle()) {
        outcomes.deadLetter(
            delivery,
            Reason.DECODE_ERROR,
            new RemoteError(
                e.getClass().getName(), e.getMessage(), null, outcomes.workerId(), null),
            task.attempt());
      }
      return;
    }
    List<Object> results = new ArrayList<>(inputs.size());
    long started = System.nanoTime();
    for (int i = 0; i < inputs.size(); i++) {
      try {
        results.add(call(inputs.get(i)));
      } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
        outcome = "failure";
        Markers.release(marker);
        failed(e, task.isChunk() ? i : null);
        return;
      }
    }
    long ended = System.nanoTime();
    // A kept result must also fit its record, the smaller limit of the two.
    boolean kept = delivery.keepResult() != null;
    int limit =
        kept
            ? Math.min(outcomes.maxMessageBytes(), TaskRecords.MAX_RESULT_BYTES)
            : outcomes.maxMessageBytes();
    byte[] json;
    try {
      json = outcomes.codec().encode(task.isChunk() ? results : results.getFirst());
      outcome = json.length > limit ? "failure" : "success";
    } catch (SpoolCodecException e) {
      outcome = "failure";
      Markers.release(marker);
      failed(e, null);
      return;
    }
    if (json.length > limit) {
      Markers.release(marker);
      failed(
          new dev.spool.NotRetryableException(
              "the result of task "
                  + task.id()
                  + " is "
                  + json.length
                  + " bytes, over the limit of "
                  + limit
                  + (kept
                      ? " bytes for a kept result; keep the data elsewhere (a shared dict, a file)"
                          + " and return where it is"
                      : "")),
          null);
      return;
    }
    if (cancelled) {
      outcome = "cancelled";
      Markers.release(marker);
      if (settle()) outcomes.cancelled(delivery, true);
      return;
    }
    if (marker != null) {
      try {
        marker.set(
            new Markers.Marker(
                "done", outcomes.workerId(), new String(json, StandardCharsets.UTF_8)),
            outcomes.settings().idempotencyTtl());
      } catch (StateConnectionException e) {
        // The handler ran but its marker could not be written: keep the claim, come back later.
        if (settle()) outcomes.requeueLater(delivery, e);
        return;
      }
    }
    if (settle()) {
      outcomes.success(delivery, json);
      StageEvents.task(task.id(), delivered, dispatched, picked, started, ended, System.nanoTime());
    }
  }

  private void failed(Throwable e, Integer element) {
    error = e;
    if (!settle()) return; // the watchdog already reported the timeout
    if (cancelled) {
      outcome = "cancelled";
      outcomes.cancelled(delivery, true);
    } else if (isStateOutage(e)) {
      outcomes.requeueLater(delivery, e);
    } else if (watchdog.timedOut()) {
      counters.timedOut(task.name());
      outcomes.failed(delivery, new TaskTimeLimitException(task.name(), timeLimit, false), element);
    } else if (e instanceof InterruptedException) {
      log.warn(
          "task {} ({}) interrupted while stopping; returned to the queue", task.id(), task.name());
      outcomes.acks().reject(delivery.tag(), true);
    } else {
      outcomes.failed(delivery, e, element);
    }
  }

  /**
   * True when {@code e} (or a cause) is Redis being unreachable: the task's fault is not its own.
   */
  private static boolean isStateOutage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StateConnectionException) return true;
    }
    return false;
  }

  /** Marks the delivery settled; false when it was settled already (the first settle decides). */
  boolean settle() {
    return settled.compareAndSet(false, true);
  }

  /**
   * Claims the idempotency marker; false when the delivery was settled instead (already done: its
   * stored result is sent; being run elsewhere: it comes back later).
   */
  private boolean claim(SharedValue<Markers.Marker> marker) {
    Duration claim = timeLimit.plus(grace).plusSeconds(30);
    if (marker.setIfAbsent(new Markers.Marker("running", outcomes.workerId(), null), claim))
      return true;
    Markers.Marker m = marker.get().orElse(null);
    if (m != null && m.status().equals("done") && settle()) {
      counters.idempotentSkip(task.name());
      log.info(
          "task {} ({}) already succeeded under its idempotency key; not run again",
          task.id(),
          task.name());
      outcomes.success(delivery, m.result().getBytes(StandardCharsets.UTF_8));
    } else if (settle()) {
      outcomes.requeueLater(
          delivery,
          new IllegalStateException(
              "its idempotency key is claimed by " + (m == null ? "another run" : m.worker())));
    }
    return false;
  }

  /**
   * The task was cancelled while running: its thread is interrupted now, as at a time limit, and
   * abandoned if it ignores that for the grace period; it ends as cancelled.
   */
  private void cancelWhileRunning() {
    cancelled = true;
    watchdog.interruptNow(
        () ->
            log.info(
                "task {} ({}) cancelled while running; interrupting it", task.id(), task.name()));
  }

  /** The watchdog settled the run as a timeout (or a cancel): its handler ignored the interrupt. */
  private void settleAbandoned() {
    AloneGate.Hold place = hold;
    if (place != null) place.close(); // its thread is stuck: the others need not wait for it
    if (cancelled) {
      log.warn(
          "task {} ({}) ignored its interrupt for {} after a cancel; abandoning its thread and"
              + " starting another",
          task.id(),
          task.name(),
          grace);
      pool.addReplacement();
      outcomes.cancelled(delivery, true);
      return;
    }
    log.warn(
        "task {} ({}) ignored its interrupt for {}; abandoning its thread and starting another",
        task.id(),
        task.name(),
        grace);
    counters.timedOut(task.name());
    pool.addReplacement();
    outcomes.failed(delivery, new TaskTimeLimitException(task.name(), timeLimit, true), null);
  }

  private List<Object> readInputs() {
    JavaType type = outcomes.codec().type(registered.inputType());
    if (!task.isChunk()) {
      return java.util.Collections.singletonList(outcomes.codec().decode(task.body(), type));
    }
    JsonNode array = outcomes.codec().tree(task.body());
    if (!array.isArray() || array.size() != task.chunk()) {
      throw new SpoolCodecException(
          "chunk of task " + task.id() + " should be a JSON array of " + task.chunk() + " inputs");
    }
    List<Object> inputs = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      inputs.add(outcomes.codec().convert(element, type));
    }
    return inputs;
  }

  @SuppressWarnings("unchecked")
  private Object call(Object input) throws Exception {
    return ((TaskHandler<Object, Object>) registered.handler()).handle(input, this);
  }

  @Override
  public String taskId() {
    return task.id();
  }

  @Override
  public String taskName() {
    return task.name();
  }

  @Override
  public int attempt() {
    return task.attempt();
  }

  @Override
  public boolean redelivered() {
    return delivery.redelivered();
  }

  @Override
  public String workerId() {
    return outcomes.workerId();
  }

  @Override
  public dev.spool.state.internal.RedisState state() {
    return outcomes.state();
  }

  @Override
  public void progress(long done, long total, String message) {
    if (done < 0 || total < 0) {
      throw new IllegalArgumentException(
          "progress must not be negative, was done=" + done + ", total=" + total);
    }
    if (delivery.keepResult() == null || settled.get()) return;
    String text = message == null || message.length() <= 200 ? message : message.substring(0, 200);
    String json =
        new String(
            outcomes.codec().encode(new Progress(done, total, text)), StandardCharsets.UTF_8);
    ProgressReports p;
    synchronized (this) {
      if (progress == null) {
        progress =
            new ProgressReports(
                PROGRESS_EVERY.toNanos(), System::nanoTime, this::writeProgress, timer);
      }
      p = progress;
    }
    p.report(json);
  }

  private void writeProgress(String json) {
    if (settled.get()) return;
    try {
      outcomes.state().taskRecords().progress(task.id(), json);
    } catch (dev.spool.SharedStateException e) {
      log.debug("cannot record progress of task {}: {}", task.id(), e.getMessage());
    }
  }

  /** A progress report as its record keeps it. */
  record Progress(long done, long total, String message) {}
}
