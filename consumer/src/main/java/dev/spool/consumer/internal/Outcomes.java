package dev.spool.consumer.internal;

import com.rabbitmq.client.Channel;
import dev.spool.SharedStateException;
import dev.spool.SpoolException;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.RetryPolicy;
import dev.spool.core.DeadLetter.Reason;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.AmqpLimits;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.DeadLetterCodec;
import dev.spool.core.wire.DelayQueues;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.ParkedTask;
import dev.spool.core.wire.TaskResult;
import dev.spool.core.wire.Topology;
import dev.spool.core.wire.Tracing;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.TaskRecords;
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles deliveries, always by publishing first and acking only once the broker confirmed what was
 * published: a result (success), a copy in a delay queue (retry), or a dead letter plus an error
 * result (the end). When nothing can be published the delivery goes back to its queue, so a task is
 * never acked without its outcome stored.
 */
final class Outcomes {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  /** Times a task is put back for a failed service before it is dead-lettered (about a day). */
  static final int MAX_REQUEUES = 3000;

  private static final Duration MAX_REQUEUE_DELAY = Duration.ofSeconds(30);

  private final ConfirmingPublisher publisher;
  private final Acks acks;
  private final JsonCodec codec;
  private final String workerId;
  private final RedisState state;
  private final Topology topology;
  private final String queue;
  private final DelayQueues delays;
  private final ConsumerConfig settings;
  private final Counters counters;
  private final Clock clock;
  private final int maxMessageBytes;
  private final Tracing tracing;
  private final Replies replies;
  private final Suspects suspects;
  private final WorkflowSteps steps = new WorkflowSteps(this);

  Outcomes(
      ConfirmingPublisher publisher,
      Acks acks,
      JsonCodec codec,
      String workerId,
      RedisState state,
      Topology topology,
      Channel declarations,
      ConsumerConfig settings,
      Counters counters,
      Clock clock,
      int maxMessageBytes,
      ReplyQueues replyQueues) {
    this.replyQueues = replyQueues;
    this.publisher = publisher;
    this.acks = acks;
    this.codec = codec;
    this.workerId = workerId;
    this.state = state;
    this.topology = topology;
    this.queue = settings.queue();
    this.delays = new DelayQueues(topology, settings.queue(), declarations, clock);
    this.settings = settings;
    this.counters = counters;
    this.clock = clock;
    this.maxMessageBytes = maxMessageBytes;
    this.tracing = Tracing.ofOrGlobal(settings.openTelemetry());
    this.replies =
        new Replies(publisher, acks, codec, workerId, maxMessageBytes, REPLIES_IN_FLIGHT);
    this.suspects = new Suspects(state::crashRecords);
  }

  /**
   * Messages of results to one reply queue unconfirmed at once before the next results wait to
   * travel together. One: two did not cut the tasks run again after a SIGKILL, and cut an unchunked
   * map's rate (0.63 against 0.79 of PerfTest / 2 on the benchmark).
   */
  static final int REPLIES_IN_FLIGHT = 1;

  Tracing tracing() {
    return tracing;
  }

  /** The work queue's full name, as the broker knows it. */
  String workQueue() {
    return topology.workQueue(queue);
  }

  /** The work queue's lane for tasks with a priority (every consumer declares it). */
  String urgentQueue() {
    return topology.urgentQueue(queue);
  }

  /** Where the work queue's delayed tasks wait in Redis until they are due. */
  dev.spool.state.internal.SharedSchedule delayed() {
    return state.schedule(Topology.delayedSchedule(queue));
  }

  private final ReplyQueues replyQueues;

  /** Stops what settling keeps running between deliveries: the reply queues' probe. */
  void close() {
    replyQueues.close();
  }

  /** Whether the producers of tasks still read their replies. */
  ReplyQueues replyQueues() {
    return replyQueues;
  }

  /** Sets the task aside for {@code delay} in a delay queue (see {@link ReplyQueues#deferral}). */
  void defer(Delivery d, Duration delay) {
    log.debug(
        "task {} set aside {} ms: nobody reads {} now", d.taskId(), delay.toMillis(), d.replyTo());
    counters.deferred(d.taskName());
    later(d, delay, Headers.DEFERRALS, d.deferrals() + 1);
  }

  /** The largest task body (and result) this consumer handles. */
  int maxMessageBytes() {
    return maxMessageBytes;
  }

  RedisState state() {
    return state;
  }

  String workerId() {
    return workerId;
  }

  JsonCodec codec() {
    return codec;
  }

  ConsumerConfig settings() {
    return settings;
  }

  Counters counters() {
    return counters;
  }

  Acks acks() {
    return acks;
  }

  Suspects suspects() {
    return suspects;
  }

  /** Returns an unstarted delivery to its queue, marked as handed back first. */
  void handBack(Delivery d) {
    handBack(java.util.List.of(d));
  }

  /**
   * Returns unstarted deliveries to their queue: marked as handed back first (one round trip), so
   * that their next delivery is known innocent and runs beside the others.
   */
  void handBack(java.util.List<Delivery> deliveries) {
    if (deliveries.isEmpty()) return;
    suspects.handedBack(
        deliveries.stream().map(Delivery::taskId).filter(java.util.Objects::nonNull).toList());
    for (Delivery d : deliveries) {
      counters.handedBack();
      acks.reject(d.tag(), true);
    }
  }

  /**
   * Sends a value and acks the task once the broker has the result. A kept result is recorded in
   * Redis too, while the result travels (so that the one who waits does not wait for the record as
   * well), and the task is acked only once both are stored; a result recorded by an earlier run
   * stays. When Redis cannot take it, the task comes back later, so that a kept result is never
   * lost (the one who waited has its result already; the later run's is not sent twice to it, as
   * its call has ended).
   */
  void success(Delivery d, byte[] json) {
    Delivery.Flow flow = d.flow();
    if (flow != null) {
      steps.succeeded(d, flow, json);
      return;
    }
    TaskResult result = new TaskResult(d.taskId(), true, workerId, json);
    Duration keep = d.keepResult();
    if (keep == null) {
      counters.succeeded(d.taskName());
      releaseUnique(d);
      reply(d, result, () -> acks.ack(d.tag()));
      return;
    }
    KeptResult kept = new KeptResult(this, d);
    reply(d, result, kept::replyConfirmed, kept::replyFailed);
    try {
      state
          .taskRecords()
          .finished(
              d.taskId(),
              d.taskName(),
              TaskRecords.SUCCEEDED,
              new String(json, StandardCharsets.UTF_8),
              d.attempt(),
              keep,
              d.submission());
    } catch (SharedStateException e) {
      kept.recordFailed(e);
      return;
    }
    counters.succeeded(d.taskName());
    releaseUnique(d);
    kept.recordWritten();
  }

  /**
   * The task ended: its uniqueness key, if it holds one, is let go, so that an equal task may be
   * sent again. When Redis cannot take it, the key runs out by its own expiry.
   */
  void releaseUnique(Delivery d) {
    String hash = Headers.string(d.props().getHeaders(), Headers.UNIQUE_KEY);
    if (hash == null || d.taskId() == null) return;
    try {
      state.uniqueKeys().release(hash, d.taskId());
    } catch (SharedStateException | IllegalArgumentException e) {
      log.warn("cannot let go of the uniqueness key of task {}: {}", d.taskId(), e.getMessage());
    }
  }

  /**
   * The task's record says it succeeded already (an earlier run recorded its result): it is not run
   * again; the recorded result is sent, and the delivery acked.
   */
  void alreadySucceeded(Delivery d, String resultJson) {
    counters.idempotentSkip(d.taskName());
    log.info(
        "task {} ({}) already succeeded by its record; not run again", d.taskId(), d.taskName());
    byte[] json = resultJson.getBytes(StandardCharsets.UTF_8);
    reply(d, new TaskResult(d.taskId(), true, workerId, json), () -> acks.ack(d.tag()));
  }

  /**
   * Records an end or a retry of a kept task; when Redis cannot take it, says so and goes on (the
   * dead letter, the retry or the cancel is the outcome that must not be lost; its record is left
   * as it was).
   */
  private void record(Delivery d, String state, RemoteError error, int attempts) {
    Duration keep = d.keepResult();
    if (keep == null) return;
    String json = new String(codec.encode(error), StandardCharsets.UTF_8);
    try {
      TaskRecords records = this.state.taskRecords();
      if (TaskRecords.RETRYING.equals(state)) {
        records.retrying(d.taskId(), d.taskName(), attempts, json, keep);
      } else {
        records.finished(d.taskId(), d.taskName(), state, json, attempts, keep, d.submission());
      }
    } catch (SharedStateException e) {
      log.warn(
          "cannot record task {} as {} in Redis ({}); its record says what it said before",
          d.taskId(),
          state,
          e.getMessage());
    }
  }

  /**
   * The task was cancelled by id, before it started or while it ran ({@code running}): the
   * producer, when it waits, gets a {@link dev.spool.core.TaskCancelledException}; acked once that
   * is confirmed. Not dead-lettered: a cancel is not a failure.
   */
  void cancelled(Delivery d, boolean running) {
    counters.cancelled(d.taskName());
    String when = running ? "while it ran, its result discarded" : "before it started";
    log.info("task {} ({}) cancelled {}", d.taskId(), d.taskName(), when);
    RemoteError error =
        new RemoteError(
            dev.spool.core.TaskCancelledException.REMOTE_TYPE,
            "cancelled " + when,
            null,
            workerId,
            null);
    record(d, TaskRecords.CANCELLED, error, d.attempt());
    steps.failed(d, error);
    releaseUnique(d);
    reply(
        d,
        new TaskResult(d.taskId(), false, workerId, codec.encode(error)),
        () -> acks.ack(d.tag()));
  }

  /**
   * The task's rate limit booked it a start slot {@code wait} from now: it waits in Redis with the
   * delayed tasks until then (no worker waits), marked so that it starts without asking again;
   * acked once it is stored. Put back in the queue when Redis cannot store it.
   */
  void rateLimited(Delivery d, java.time.Duration wait) {
    counters.rateLimited(d.taskName());
    dev.spool.core.wire.ParkedTask parked =
        dev.spool.core.wire.ParkedTask.of(d.with(Headers.RATE_SLOT, d.attempt()), d.body());
    try {
      state.schedule(Topology.rateLimitedSchedule(queue)).addIn(parked.id(), parked.toJson(), wait);
    } catch (dev.spool.SharedStateException e) {
      requeueLater(d, e);
      return;
    }
    acks.ack(d.tag());
  }

  /**
   * A handler run failed: another attempt through a delay queue when the task's policy allows, else
   * a dead letter and the error to the producer.
   */
  void failed(Delivery d, Throwable error, Integer element) {
    counters.failed(d.taskName());
    RetryPolicy policy = settings.retryFor(d.taskName());
    int attempt = d.attempt();
    if (policy.retries(attempt, error)) {
      Duration delay = policy.delayAfter(attempt, ThreadLocalRandom.current()::nextDouble);
      log.info(
          "task {} ({}) failed on attempt {} of {}: {}; retrying in about {} ms",
          d.taskId(),
          d.taskName(),
          attempt,
          policy.maxAttempts(),
          error.toString(),
          delay.toMillis());
      counters.retried(d.taskName());
      record(d, TaskRecords.RETRYING, RemoteError.of(error, workerId, element), attempt);
      later(d, delay, Headers.ATTEMPT, attempt + 1);
      return;
    }
    Reason reason = policy.retryable(error) ? Reason.RETRIES_EXHAUSTED : Reason.NOT_RETRYABLE;
    log.info(
        "task {} ({}) failed on attempt {}: {}; dead-lettered ({})",
        d.taskId(),
        d.taskName(),
        attempt,
        error.toString(),
        reason);
    deadLetter(d, reason, RemoteError.of(error, workerId, element), attempt);
  }

  /** The task could not run now because a service it needs failed: it comes back later. */
  void requeueLater(Delivery d, Throwable why) {
    int n = d.requeues() + 1;
    if (n > MAX_REQUEUES) {
      deadLetter(d, Reason.RETRIES_EXHAUSTED, RemoteError.of(why, workerId, null), d.attempt());
      return;
    }
    long ms = Math.min(MAX_REQUEUE_DELAY.toMillis(), 500L << Math.min(n - 1, 10));
    Duration delay = Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    // The message says what failed; a stack trace per task of an outage says nothing more.
    log.warn(
        "task {} ({}) put back for {} ms: {}",
        d.taskId(),
        d.taskName(),
        delay.toMillis(),
        String.valueOf(why.getMessage()));
    log.debug("task {} put back because of", d.taskId(), why);
    counters.requeued(d.taskName());
    later(d, delay, Headers.REQUEUES, n);
  }

  private void later(Delivery d, Duration delay, String header, int value) {
    String delayQueue = delayQueue(d, delay);
    if (delayQueue != null) {
      var props = traced(d.with(header, value));
      publish(d, "retry", delayQueue, props, d.body(), () -> acks.ack(d.tag()));
    }
  }

  /** The delay queue for {@code delay}; null after returning the task when none can be declared. */
  private String delayQueue(Delivery d, Duration delay) {
    try {
      return delays.forDelay(delay);
    } catch (SpoolException e) {
      log.warn(
          "cannot declare a delay queue ({}); returning task {} to its queue",
          e.getMessage(),
          d.taskId());
      acks.reject(d.tag(), true);
      return null;
    }
  }

  /**
   * Ends a task: a dead letter with the reason, and the error to the producer when it waits; acks
   * once both are confirmed.
   */
  void deadLetter(Delivery d, Reason reason, RemoteError error, int attempts) {
    counters.deadLettered(d.taskName(), reason.toString());
    var props =
        DeadLetterCodec.properties(
            d.props(), reason, error, attempts, workerId, clock.instant(), queue, codec);
    boolean answer = d.taskId() != null && d.replyTo() != null && !d.replyTo().isEmpty();
    boolean handlerFailed = reason == Reason.RETRIES_EXHAUSTED || reason == Reason.NOT_RETRYABLE;
    record(
        d,
        handlerFailed ? TaskRecords.FAILED : TaskRecords.DEAD,
        error.deadLettered(reason.toString(), attempts),
        attempts);
    steps.failed(d, error.deadLettered(reason.toString(), attempts));
    releaseUnique(d);
    AtomicInteger confirms = new AtomicInteger(answer ? 2 : 1);
    Runnable settle =
        () -> {
          if (confirms.decrementAndGet() == 0) acks.ack(d.tag());
        };
    if (!publish(d, "dead-letter", topology.deadQueue(queue), props, d.body(), settle)) return;
    if (answer) {
      RemoteError told = error.deadLettered(reason.toString(), attempts);
      // The dead letter is the outcome that must not be lost; a caller not told waits out its
      // timeout. Putting the task back instead would dead-letter it a second time.
      reply(
          d,
          new TaskResult(d.taskId(), false, workerId, codec.encode(told)),
          settle,
          e -> {
            log.warn(
                "task {} dead-lettered, but its error could not be sent to {} ({})",
                d.taskId(),
                d.replyTo(),
                e.getMessage());
            settle.run();
          });
    }
  }

  /**
   * A delayed task that cannot be published (a name AMQP cannot carry, stored by an older
   * producer): a dead letter of it, its names cut to what AMQP carries, goes to the dead-letter
   * queue with {@code why}; {@code onConfirmed} once the broker has it.
   */
  void deadLetterParked(ParkedTask task, String why, Runnable onConfirmed)
      throws InterruptedException {
    Map<String, Object> headers = new HashMap<>();
    if (task.headers() != null) {
      task.headers()
          .forEach(
              (k, v) -> {
                if (AmqpLimits.fitsShortstr(k)) headers.put(k, v);
              });
    }
    var original =
        new com.rabbitmq.client.AMQP.BasicProperties.Builder()
            .messageId(fit(task.id()))
            .correlationId(fit(task.id()))
            .type(fit(task.name()))
            .contentType("application/json")
            .deliveryMode(2)
            .headers(headers)
            .build();
    RemoteError error =
        new RemoteError(
            SpoolException.class.getName(), "cannot be published: " + why, null, workerId, null);
    var props =
        DeadLetterCodec.properties(
            original, Reason.DECODE_ERROR, error, 0, workerId, clock.instant(), queue, codec);
    counters.deadLettered(String.valueOf(original.getType()), Reason.DECODE_ERROR.toString());
    publisher.publish(topology.deadQueue(queue), props, task.body(), onConfirmed);
  }

  /** {@code s} as an AMQP short string carries it: cut, and marked so, when too long. */
  private static String fit(String s) {
    return s == null || AmqpLimits.fitsShortstr(s) ? s : s.substring(0, 80) + "...(cut)";
  }

  private void reply(Delivery d, TaskResult result, Runnable settle) {
    reply(d, result, settle, null);
  }

  /**
   * Sends {@code result} to the task's reply queue; {@code settle} runs once it is confirmed,
   * {@code failed} when it cannot be published (null: the delivery goes back to its queue).
   */
  private void reply(
      Delivery d,
      TaskResult result,
      Runnable settle,
      java.util.function.Consumer<Exception> failed) {
    if (d.replyTo() == null || d.replyTo().isEmpty()) {
      settle.run(); // nobody waits for this result
      return;
    }
    Span span = settleSpan(result.ok() ? "result" : "error", d, d.replyTo());
    replies.send(new Replies.Outgoing(d, result, span, settle, failed));
  }

  /**
   * Waits until every result handed to the reply queues was confirmed, at most {@code timeout};
   * then sends later ones from their callers' threads.
   */
  boolean awaitReplies(Duration timeout) throws InterruptedException {
    try {
      return replies.awaitSent(timeout);
    } finally {
      replies.close();
    }
  }

  /** Whether tracing is on and this thread runs a traced task (its process span is current). */
  private boolean tracingThisTask() {
    return tracing.on() && Span.current().getSpanContext().isValid();
  }

  /**
   * The span of settling {@code d} by publishing {@code what} to {@code dest}, ended by whoever
   * sees it confirmed; the invalid span when this task is not traced.
   */
  private Span settleSpan(String what, Delivery d, String dest) {
    return tracingThisTask()
        ? tracing.settle(what, d.taskName(), d.taskId(), dest)
        : Span.getInvalid();
  }

  /**
   * {@code props} joined to the trace of the task being run on this thread (its process span), when
   * tracing is on and there is one: a retry or a workflow's next step continues its trace.
   */
  com.rabbitmq.client.AMQP.BasicProperties traced(com.rabbitmq.client.AMQP.BasicProperties props) {
    if (!tracingThisTask()) return props;
    Map<String, Object> h =
        props.getHeaders() == null ? new HashMap<>() : new HashMap<>(props.getHeaders());
    tracing.inject(h);
    return props.builder().headers(h).build();
  }

  /**
   * Publishes {@code what} for task {@code d} (a result, a retry, a dead letter, a workflow's next
   * step), running {@code onConfirmed} once the broker confirmed it; false when it could not be
   * published, the delivery then returned to its queue.
   */
  boolean publish(
      Delivery d,
      String what,
      String routingKey,
      com.rabbitmq.client.AMQP.BasicProperties props,
      byte[] body,
      Runnable onConfirmed) {
    Span span = settleSpan(what, d, routingKey);
    if (span.getSpanContext().isValid()) {
      Span traced = span;
      Runnable settle = onConfirmed;
      onConfirmed =
          () -> {
            traced.end();
            settle.run();
          };
    }
    try {
      publisher.publish(routingKey, props, body, onConfirmed);
      return true;
    } catch (SpoolException e) {
      Tracing.failed(span, e);
      log.warn(
          "could not publish for task {} to {} ({}); returning it to the queue",
          d.taskId(),
          routingKey,
          e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      Tracing.failed(span, e);
    }
    acks.reject(d.tag(), true);
    return false;
  }
}
