package dev.spool.producer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.spool.SpoolException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.ParkedTask;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.StageEvents;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.Topology;
import dev.spool.core.wire.Tracing;
import dev.spool.producer.internal.PendingTasks;
import dev.spool.producer.internal.PendingTasks.Pending;
import dev.spool.producer.internal.ProducerMeters;
import dev.spool.state.internal.Ids;
import dev.spool.state.internal.SharedSchedule;
import dev.spool.state.internal.UniqueKeys;
import io.opentelemetry.api.trace.Span;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing side of a {@link TaskPool}: builds task messages with their headers, records kept
 * tasks, parks delayed ones in Redis, submits workflows, and publishes under confirms, on the
 * urgent lane for a priority. The pool keeps the calls and their results.
 */
final class TaskPublisher {
  private static final Logger log = LoggerFactory.getLogger(TaskPublisher.class);

  /**
   * One message of tasks whose result the pool waits for: one task, or a chunk of a map's inputs.
   *
   * @param position the index of the first input in its map
   * @param deadline when the caller stops waiting
   * @param due when a delayed task falls due, or null
   * @param keep how long its result is kept in Redis, or null for not
   * @param ownTimer whether the task's own timer fails it at {@code deadline}; false for a map's
   *     tasks, whose run keeps the one deadline they share (a timer per task cost the producer
   *     about a tenth of its CPU in a map)
   */
  record Submission(
      String task,
      List<Object> inputs,
      long position,
      boolean chunked,
      Instant deadline,
      Idempotency idempotency,
      Instant due,
      TaskOptions options,
      Duration keep,
      boolean ownTimer) {}

  /**
   * Whether consumers run a task at most once to success, and under which key.
   *
   * @param on whether they do
   * @param key the key, or null for the task's own id
   */
  record Idempotency(boolean on, String key) {
    /** Not idempotent: the default. */
    static final Idempotency NONE = new Idempotency(false, null);

    /** Under the task's own id (a map's tasks). */
    static final Idempotency BY_TASK_ID = new Idempotency(true, null);

    /** Under {@code key} ({@code applyOnce}). */
    static Idempotency under(String key) {
      return new Idempotency(true, Objects.requireNonNull(key, "key"));
    }

    String keyFor(String taskId) {
      return key == null ? taskId : key;
    }
  }

  private final TaskPool pool;
  private final Session session;
  private final Topology topology;
  private final ConfirmingPublisher publisher;
  private final JsonCodec codec;
  private final PendingTasks pending;
  private final ProducerMeters meters;
  private final Tracing tracing;
  private final Clock clock;
  private final TaskPoolConfig settings;
  private final String producerId;
  private final String workQueue;
  private final String replyQueue;
  private final String queueName;
  private final int maxMessageBytes;
  private final LongAdder tasksPublished = new LongAdder();
  private volatile String urgentQueue; // declared on the first task with a priority

  TaskPublisher(
      TaskPool pool,
      Session session,
      Topology topology,
      ConfirmingPublisher publisher,
      JsonCodec codec,
      PendingTasks pending,
      ProducerMeters meters,
      Tracing tracing,
      Clock clock,
      TaskPoolConfig settings,
      String producerId,
      String replyQueue,
      int maxMessageBytes) {
    this.pool = pool;
    this.session = session;
    this.topology = topology;
    this.publisher = publisher;
    this.codec = codec;
    this.pending = pending;
    this.meters = meters;
    this.tracing = tracing;
    this.clock = clock;
    this.settings = settings;
    this.producerId = producerId;
    this.queueName = settings.queue();
    this.workQueue = topology.workQueue(settings.queue());
    this.replyQueue = replyQueue;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Tasks published so far (a workflow's first steps count each). */
  long published() {
    return tasksPublished.sum();
  }

  /** Lets the records being written finish, for at most 5 s: Redis closes after. */
  void close() throws InterruptedException {
    recordWriter.shutdown();
    if (!recordWriter.awaitTermination(5, TimeUnit.SECONDS)) {
      log.warn("task records still being written after 5 s; they are written when tasks start");
    }
  }

  /**
   * Publishes {@code task} on one input without waiting for its result, and returns its id once the
   * broker has it: fire and forget. The task runs even after this process has gone; its result is
   * not sent anywhere (unless kept: {@link TaskOptions#withKeepResult}). With a countdown or eta it
   * waits in Redis until due. With a uniqueness key ({@link TaskOptions#withUniqueKey}) held by a
   * task not ended yet, nothing is sent and that task's id is returned.
   *
   * @throws IllegalArgumentException for an empty task name or an input over the size limit
   */
  String submit(String task, Object input, TaskOptions options) {
    pool.ensureOpen();
    requireTaskName(task);
    Instant due = options.dueAt(clock);
    String id = options.id() == null ? Ids.random() : options.id();
    byte[] body = encodeInput(task, java.util.Collections.singletonList(input), false, 0);
    if (options.uniqueKey() == null) return publishDetached(task, id, body, due, options, null);
    String hash = UniqueKeys.hash(options.uniqueKey());
    java.util.Optional<String> holder;
    try {
      holder = pool.state().uniqueKeys().claim(hash, id, options.uniqueFor());
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot claim the uniqueness key of task " + id + ": " + e.getMessage(), e);
    }
    if (holder.isPresent()) {
      log.debug("task {} not sent: its uniqueness key is held by task {}", task, holder.get());
      return holder.get();
    }
    try {
      return publishDetached(task, id, body, due, options, hash);
    } catch (RuntimeException e) {
      try {
        pool.state().uniqueKeys().release(hash, id); // it was not sent: the key is free again
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private String publishDetached(
      String task, String id, byte[] body, Instant due, TaskOptions options, String uniqueHash) {
    TaskMessage m = new TaskMessage(id, task, null, 1, 0, 0, null, producerId, body);
    Map<String, Object> h = new HashMap<>(m.toProperties().getHeaders());
    h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    if (due != null) h.put(Headers.DUE, due.toEpochMilli());
    if (options.rateKey() != null) h.put(Headers.RATE_KEY, options.rateKey());
    if (options.priority() > 0) h.put(Headers.PRIORITY, options.priority());
    if (uniqueHash != null) h.put(Headers.UNIQUE_KEY, uniqueHash);
    Duration keep = keepFor(task, options);
    String submission = keep == null ? null : submissionToken();
    if (keep != null) {
      h.put(Headers.KEEP_RESULT, keep.toMillis());
      h.put(Headers.SUBMISSION, submission);
    }
    Span span = tracing.publish(task, id, workQueue, 1, h); // invalid when off
    AMQP.BasicProperties props =
        m.toProperties()
            .builder()
            .headers(h)
            .priority(options.priority() > 0 ? options.priority() : null)
            .build();
    try {
      if (keep != null) record(id, task, due, keep, submission);
      if (due != null) {
        park(props, body, options.countdown(), due);
        span.end();
        tasksPublished.increment();
        meters.published(task);
        return id;
      }
      CompletableFuture<Void> confirmed = new CompletableFuture<>();
      try {
        publisher.publish(laneFor(options.priority()), props, body, () -> confirmed.complete(null));
        confirmed.get(settings.defaultTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SpoolException("interrupted while publishing task " + id, e);
      } catch (ExecutionException | TimeoutException e) {
        throw new SpoolConnectionException(
            "the broker did not confirm task " + id + " within " + settings.defaultTimeout(), e);
      }
    } catch (RuntimeException e) {
      Tracing.failed(span, e);
      throw e;
    }
    span.end();
    tasksPublished.increment();
    meters.published(task);
    return id;
  }

  /**
   * Publishes one message of tasks whose result this pool waits for: registered as pending first
   * (its result may arrive before the publish returns), then recorded, parked or published.
   */
  Pending publish(Submission s) throws InterruptedException {
    long begun = System.nanoTime(); // for StageEvents
    String task = s.task();
    List<Object> inputs = s.inputs();
    long position = s.position();
    boolean chunked = s.chunked();
    Instant deadline = s.deadline();
    Instant due = s.due();
    TaskOptions options = s.options();
    Duration keep = s.keep();
    pool.ensureOpen();
    requireTaskName(task);
    String id = options.id() == null ? Ids.random() : options.id();
    String rateKey = options.rateKey();
    int priority = options.priority();
    String submission = keep == null ? null : submissionToken();
    byte[] body = encodeInput(task, inputs, chunked, position);
    int size = chunked ? inputs.size() : 0;
    TaskMessage m =
        new TaskMessage(id, task, replyQueue, 1, position, size, deadline, producerId, body);
    AMQP.BasicProperties props = m.toProperties();
    Span span = Span.getInvalid();
    if (s.idempotency().on()
        || due != null
        || rateKey != null
        || priority > 0
        || keep != null
        || tracing.on()) {
      Map<String, Object> h = new HashMap<>(props.getHeaders());
      span = tracing.publish(task, id, workQueue, Math.max(1, size), h);
      if (priority > 0) h.put(Headers.PRIORITY, priority);
      if (keep != null) {
        h.put(Headers.KEEP_RESULT, keep.toMillis());
        h.put(Headers.SUBMISSION, submission);
        h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
      }
      if (rateKey != null) h.put(Headers.RATE_KEY, rateKey);
      if (s.idempotency().on()) {
        h.put(Headers.IDEMPOTENCY_KEY, s.idempotency().keyFor(id));
      }
      if (due != null) h.put(Headers.DUE, due.toEpochMilli());
      props = props.builder().headers(h).priority(priority > 0 ? priority : null).build();
    }
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative()) left = Duration.ZERO;
    Pending p = pending.register(id, task, position, size, s.ownTimer() ? left : null);
    tasksPublished.increment(); // before publishing: its result may arrive before we return
    meters.published(task);
    try {
      if (keep != null && due != null) record(id, task, due, keep, submission);
      else if (keep != null) recordWhilePublishing(id, task, keep, submission);
      if (due != null) {
        park(props, body, null, due);
        span.end();
      } else if (span.getSpanContext().isValid()) {
        publisher.publish(laneFor(priority), props, body, span::end);
      } else {
        publisher.publish(laneFor(priority), props, body, () -> {});
      }
      if (due == null) StageEvents.sent(id, begun, System.nanoTime());
    } catch (RuntimeException | InterruptedException e) {
      tasksPublished.decrement();
      pending.abandon(p);
      Tracing.failed(span, e);
      throw e;
    }
    return p;
  }

  /**
   * Submits workflow {@code flow} and returns its id once the broker has its first steps: the
   * consumers run it from there, so this process may exit. Its state and result are kept in Redis
   * for {@code options}' keep time (else the pool's, else a day) after it ends, readable by id with
   * {@link AsyncResult}. {@code options} may give its id; other options do not apply.
   *
   * @throws IllegalArgumentException for an input over the size limit or too many steps
   * @throws SpoolConnectionException when Redis or the broker cannot be reached
   */
  String submit(Workflow flow, TaskOptions options) {
    pool.ensureOpen();
    Objects.requireNonNull(flow, "flow");
    String id = options.id() == null ? Ids.random() : options.id();
    Duration keep = keepFor("workflow", options);
    if (keep == null) keep = TaskPool.DEFAULT_WORKFLOW_KEEP;
    List<dev.spool.state.internal.Workflows.Node> nodes = new ArrayList<>();
    for (Workflow.Flat f : flow.flatten()) {
      String input = null;
      if (f.hasInput()) {
        byte[] json =
            encodeInput(f.name(), java.util.Collections.singletonList(f.input()), false, 0);
        input = new String(json, java.nio.charset.StandardCharsets.UTF_8);
      }
      nodes.add(
          new dev.spool.state.internal.Workflows.Node(
              f.kind(), f.name(), input, f.parent(), f.index(), f.children(), f.optionsJson()));
    }
    Duration timeout = settings.defaultTimeout();
    List<dev.spool.state.internal.Workflows.Step> first;
    try {
      // Submitting until the broker confirmed its first steps: failed if that never comes.
      first =
          pool.state()
              .workflows()
              .create(id, nodes, keep, clock.instant().plus(timeout).plus(ABANDON_MARGIN));
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot store workflow " + id + " in Redis: " + e.getMessage(), e);
    }
    List<ConfirmingPublisher.Message> steps = new ArrayList<>(first.size());
    List<Span> spans = new ArrayList<>();
    for (dev.spool.state.internal.Workflows.Step step : first) {
      var stepOptions = dev.spool.core.wire.FlowSteps.StepOptions.parse(step.optionsJson());
      AMQP.BasicProperties props =
          dev.spool.core.wire.FlowSteps.properties(
              id, step.node(), step.name(), keep, producerId, stepOptions);
      String lane = laneFor(stepOptions.priority());
      if (tracing.on()) {
        Map<String, Object> h = new HashMap<>(props.getHeaders());
        spans.add(tracing.publish(step.name(), props.getMessageId(), lane, 1, h));
        props = props.builder().headers(h).build();
      }
      byte[] body = dev.spool.core.wire.FlowSteps.body(step.inputJson());
      if (stepOptions.delay() != null) {
        park(props, body, stepOptions.delay(), null); // a consumer sends it when it is due
      } else {
        steps.add(new ConfirmingPublisher.Message(lane, props, body));
      }
    }
    try {
      // Bounded like every publish: it gives up soon when the broker blocks it with an alarm.
      publisher.publishAllConfirmed(steps, timeout, "the first steps of workflow " + id);
    } catch (SpoolException e) {
      spans.forEach(s -> Tracing.failed(s, e));
      failWorkflow(id, e, keep);
      throw e;
    }
    spans.forEach(Span::end);
    try {
      if (!pool.state().workflows().submitted(id)) {
        log.warn("workflow {} was given up before its first steps were confirmed", id);
      }
    } catch (dev.spool.StateConnectionException e) {
      // Its first step's end makes it running, as this would have.
      log.warn("cannot mark workflow {} submitted ({}); its first step will", id, e.getMessage());
    }
    tasksPublished.add(first.size());
    return id;
  }

  /**
   * How long past its submit timeout a workflow whose first steps were never confirmed (its
   * submitter died) reads as pending before it reads as failed.
   */
  static final Duration ABANDON_MARGIN = Duration.ofMinutes(1);

  /** A workflow whose first steps could not be sent fails now, with why, instead of pending. */
  private void failWorkflow(String id, SpoolException why, Duration keep) {
    try {
      String error =
          new String(
              codec.encode(
                  new dev.spool.core.RemoteError(
                      why.getClass().getName(),
                      "its first steps could not be sent: " + why.getMessage(),
                      null,
                      producerId,
                      null)),
              java.nio.charset.StandardCharsets.UTF_8);
      pool.state().workflows().fail(id, -1, error, keep);
    } catch (RuntimeException e) {
      why.addSuppressed(e); // it reads as failed after its abandon time anyway
    }
  }

  /** How long task {@code task}'s result is kept: the call's say, else the pool's; null for not. */
  Duration keepFor(String task, TaskOptions options) {
    return options.keepResult() != null ? options.keepResult() : settings.keepResultsOf(task);
  }

  /** A random token of one submission of a kept task ({@link Headers#SUBMISSION}). */
  private static String submissionToken() {
    return java.util.HexFormat.of()
        .formatHex(
            java.nio.ByteBuffer.allocate(16)
                .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong())
                .putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong())
                .array());
  }

  /**
   * Records a task whose result is kept on another thread, while it is published: a caller that
   * waits for the result does not wait for this write as well. A consumer may record the task's
   * start first; the two are told apart from another submission by {@code submission}. When Redis
   * cannot take it, the consumer creates the record when the task starts.
   */
  private void recordWhilePublishing(String id, String task, Duration keep, String submission) {
    recordWriter.execute(
        () -> {
          try {
            pool.state().taskRecords().submitted(id, task, null, keep, submission);
          } catch (RuntimeException e) {
            log.warn(
                "cannot record task {} in Redis ({}); it is recorded when it starts",
                id,
                e.getMessage());
          }
        });
  }

  private final java.util.concurrent.ExecutorService recordWriter =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("spool-record-", 1).factory());

  /** Records a task whose result is kept, before it is published: from then on, it has a state. */
  private void record(String id, String task, Instant due, Duration keep, String submission) {
    try {
      pool.state().taskRecords().submitted(id, task, due, keep, submission);
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot record task "
              + id
              + " in Redis, so its result could not be kept: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Parks a delayed task in Redis until it is due: {@code countdown} from now by Redis's clock, or
   * at {@code due} when there is no countdown. A consumer moves it to the work queue then.
   */
  private void park(AMQP.BasicProperties props, byte[] body, Duration countdown, Instant due) {
    SharedSchedule schedule = pool.state().schedule(Topology.delayedSchedule(queueName));
    ParkedTask parked = ParkedTask.of(props, body);
    try {
      if (countdown != null) schedule.addIn(parked.id(), parked.toJson(), countdown);
      else schedule.addAt(parked.id(), parked.toJson(), due);
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot park delayed task " + parked.id() + " in Redis: " + e.getMessage(), e);
    }
  }

  /**
   * The work queue for priority 0; its urgent lane, declared on first use, for a priority. Every
   * consumer of the work queue declares and reads the lane too.
   */
  private String laneFor(int priority) {
    if (priority == 0) return workQueue;
    String lane = urgentQueue;
    if (lane == null) {
      synchronized (this) {
        if (urgentQueue == null) {
          urgentQueue =
              session.setUp(
                  "declare the urgent lane",
                  s -> {
                    try (Channel ch = s.channel()) {
                      return topology.declareUrgentQueue(ch, queueName);
                    }
                  });
        }
        lane = urgentQueue;
      }
    }
    return lane;
  }

  static void requireTaskName(String task) {
    dev.spool.Names.taskName(task);
  }

  /** The JSON body of a task, checked against the size limit. */
  byte[] encodeInput(String task, List<Object> inputs, boolean chunked, long position) {
    byte[] body = codec.encode(chunked ? inputs : inputs.getFirst());
    if (body.length > maxMessageBytes) {
      throw new IllegalArgumentException(
          "the input of task '"
              + task
              + "' at position "
              + position
              + " is "
              + body.length
              + " bytes of JSON, over the limit of "
              + maxMessageBytes
              + " (SPOOL_MAX_MESSAGE_SIZE); send a reference (a key in shared state, a path)"
              + " instead, or a smaller chunksize");
    }
    return body;
  }
}
