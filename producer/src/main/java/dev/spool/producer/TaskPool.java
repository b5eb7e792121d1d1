package dev.spool.producer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import dev.spool.SpoolException;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.Spool;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.Handles;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.ParkedTask;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.Topology;
import dev.spool.core.wire.Tracing;
import dev.spool.producer.internal.MapRun;
import dev.spool.producer.internal.PendingTasks;
import dev.spool.producer.internal.PendingTasks.Pending;
import dev.spool.producer.internal.ProducerMeters;
import dev.spool.producer.internal.ReplyListener;
import dev.spool.producer.internal.ResultDecoder;
import dev.spool.state.RedisState;
import dev.spool.state.SharedSchedule;
import dev.spool.state.UniqueKeys;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of remote workers, in the spirit of {@code multiprocessing.Pool}: tasks are published to a
 * RabbitMQ work queue, consumer processes run them, and results come back on this pool's own reply
 * queue.
 *
 * <pre>{@code
 * try (TaskPool pool = TaskPool.create(SpoolConfig.fromEnvironment(System.getenv()))) {
 *   List<Long> squares = pool.map("square", List.of(1, 2, 3), Long.class); // [1, 4, 9]
 *   long one = pool.apply("square", 1, Long.class);
 *   CompletableFuture<Long> later = pool.applyAsync("square", 7, Long.class);
 * }
 * }</pre>
 *
 * <p>Results come back in input order from {@code map}, {@code imap} and {@code starmap}. A task
 * that fails remotely makes the call throw {@link TaskFailedException} with the remote type,
 * message and stack; a call that runs out of time throws {@link TaskTimeoutException}. Publishes
 * are confirmed by the broker within a window, and re-published when nacked or unconfirmed at a
 * reconnect. Thread-safe: several threads may map through one pool at once.
 */
public final class TaskPool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TaskPool.class);

  private final TaskPoolConfig settings;
  private final int maxMessageBytes;
  private final String producerId;
  private final Session session;
  private final Channel replyChannel;
  private final ConfirmingPublisher publisher;
  private final String workQueue;
  private final String replyQueue;
  private final String queueName;
  private final Supplier<RedisState> stateSource; // where delayed tasks wait: Redis
  private final boolean ownsState;
  private volatile RedisState state; // connected on the first delayed task
  private volatile String urgentQueue; // declared on the first task with a priority
  private final Topology topology;
  private final JsonCodec codec = new JsonCodec();
  private final ResultDecoder decoder = new ResultDecoder(codec);
  private final PendingTasks pending;
  private final ProducerMeters meters;
  private final MeterRegistry meterRegistry;
  private final LongAdder tasksPublished = new LongAdder();
  private final Clock clock;
  private final java.util.function.LongSupplier ticker; // nanoseconds, for deadlines
  private final Tracing tracing;
  private final QueueAdmin admin;
  private volatile boolean closed;

  private TaskPool(
      Session session,
      SpoolConfig config,
      TaskPoolConfig settings,
      MeterRegistry meterRegistry,
      ProcessIdentity me,
      Clock clock,
      java.util.function.LongSupplier ticker,
      RedisState shared) {
    this.session = session;
    this.ticker = ticker;
    this.ownsState = shared == null;
    this.stateSource = shared == null ? () -> Spool.sharedState(config) : () -> shared;
    this.settings = settings;
    this.meterRegistry = meterRegistry;
    this.maxMessageBytes = config.maxMessageBytes();
    this.clock = clock;
    this.tracing = Tracing.ofOrGlobal(settings.openTelemetry());
    this.producerId =
        me.host().replaceAll("[^A-Za-z0-9_-]", "_")
            + "-"
            + me.pid()
            + "-"
            + UUID.randomUUID().toString().substring(0, 8);
    Topology topology = new Topology(config);
    this.topology = topology;
    this.queueName = settings.queue();
    this.meters = new ProducerMeters(meterRegistry, topology.workQueue(settings.queue()));
    this.pending = new PendingTasks(meters);
    Channel publishChannel =
        session.setUp("set up a pool on " + config.amqpUriRedacted(), s -> s.channel());
    this.workQueue =
        session.setUp(
            "declare the work queue",
            s -> topology.declareWorkQueue(publishChannel, settings.queue()));
    this.publisher =
        session.setUp(
            "enable publisher confirms",
            s -> new ConfirmingPublisher(publishChannel, settings.publishWindow()));
    meters.gauges(() -> pending.waiting(), publisher::unconfirmed);
    this.replyChannel = session.setUp("open a reply channel", s -> s.channel());
    this.replyQueue =
        session.setUp(
            "declare the reply queue",
            s -> {
              String q = topology.declareReplyQueue(replyChannel, producerId);
              replyChannel.basicQos(1000);
              replyChannel.basicConsume(q, false, new ReplyListener(replyChannel, pending, codec));
              return q;
            });
    this.admin =
        new QueueAdmin(
            this, queueName, workQueue, producerId, clock, publisher, settings.defaultTimeout());
  }

  /**
   * A pool on {@code session}; delayed tasks wait in {@code shared}, or in shared state of its own
   * (connected on first use) when null.
   */
  static TaskPool create(
      Session session,
      SpoolConfig config,
      TaskPoolConfig settings,
      MeterRegistry meters,
      RedisState shared) {
    return create(session, config, settings, meters, shared, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * As above, on {@code clock} (the time written in messages and records) and {@code ticker}
   * (nanoseconds, for every deadline the pool waits on): a test moves them by hand.
   */
  static TaskPool create(
      Session session,
      SpoolConfig config,
      TaskPoolConfig settings,
      MeterRegistry meters,
      RedisState shared,
      Clock clock,
      java.util.function.LongSupplier ticker) {
    TaskPool pool =
        new TaskPool(
            session,
            config,
            settings,
            meters,
            ProcessIdentity.current("producer"),
            clock,
            ticker,
            shared);
    log.info( // a command shows it with --verbose
        "pool {} publishing to {}, results on {}",
        pool.producerId,
        pool.workQueue,
        pool.replyQueue);
    return pool;
  }

  /** A pool with default settings on the default work queue. */
  public static TaskPool create(SpoolConfig config) {
    return create(config, TaskPoolConfig.defaults());
  }

  /**
   * Connects, declares the work queue and this pool's reply queue, and listens for results. The
   * pool has a connection of its own: a program with several pools, queues or pipes should make
   * them from one {@link Spool}, which shares one connection among them.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached
   */
  public static TaskPool create(SpoolConfig config, TaskPoolConfig settings) {
    return create(config, settings, new SimpleMeterRegistry());
  }

  /**
   * As {@link #create(SpoolConfig, TaskPoolConfig)}, on a connection of its own, recording
   * publishes, results, round trips and timeouts in {@code meters} (names in docs/operate.md, the
   * metrics table).
   */
  public static TaskPool create(SpoolConfig config, TaskPoolConfig settings, MeterRegistry meters) {
    Session session = Session.owning(config, ProcessIdentity.current("producer").connectionName());
    return create(session, config, settings, meters, null);
  }

  /** A pool with default settings on {@code spool}'s connection, closed with the spool. */
  public static TaskPool create(Spool spool) {
    return create(spool, TaskPoolConfig.defaults());
  }

  /** A pool with {@code settings} on {@code spool}'s connection, closed with the spool. */
  public static TaskPool create(Spool spool, TaskPoolConfig settings) {
    return create(spool, settings, new SimpleMeterRegistry());
  }

  /**
   * A pool with {@code settings} on {@code spool}'s connection, recording its metrics in {@code
   * meters}; closed with the spool.
   *
   * @throws IllegalStateException when the spool is closed
   */
  public static TaskPool create(Spool spool, TaskPoolConfig settings, MeterRegistry meters) {
    return Handles.make(spool, s -> create(s, spool.config(), settings, meters, spool.state()));
  }

  /** Runs {@code task} on one input and waits for its result, up to the default timeout. */
  public <R> R apply(String task, Object input, Class<R> resultType) {
    return apply(task, input, resultType, settings.defaultTimeout());
  }

  /**
   * Runs {@code task} on one input and waits for its result.
   *
   * @throws TaskFailedException when the task failed remotely
   * @throws TaskTimeoutException when no result came within {@code timeout}
   */
  public <R> R apply(String task, Object input, Class<R> resultType, Duration timeout) {
    return await(future(task, input, codec.type(resultType), timeout), task);
  }

  /**
   * A call's result as the pool completes it: on the client's reader thread, for pool code only.
   */
  private <R> CompletableFuture<R> future(
      String task, Object input, JavaType type, Duration timeout) {
    return async(task, input, type, timeout, null, null);
  }

  private <R> CompletableFuture<R> future(
      String task, Object input, JavaType type, TaskOptions options) {
    return async(task, input, type, timeoutOf(options), null, options.dueAt(clock), options);
  }

  /**
   * The caller's future: completed on the pool's callback threads (virtual, one per completion),
   * never on the client's reader thread, where a blocking {@code thenAccept} of the caller's would
   * stall every result of the pool. Completed with the cause itself, not a wrapper.
   */
  private <R> CompletableFuture<R> handedOff(CompletableFuture<R> internal) {
    CompletableFuture<R> out = new CompletableFuture<>();
    internal.whenComplete(
        (r, e) -> {
          Runnable complete =
              () -> {
                if (e == null) out.complete(r);
                else
                  out.completeExceptionally(
                      e.getCause() != null && e instanceof java.util.concurrent.CompletionException
                          ? e.getCause()
                          : e);
              };
          try {
            callbacks.execute(complete);
          } catch (java.util.concurrent.RejectedExecutionException closed) {
            complete.run(); // the pool closed: its last failures are handed over here
          }
        });
    return out;
  }

  /** Waits for a future from {@link #async}, rethrowing its {@code SpoolException}. */
  private static <R> R await(CompletableFuture<R> f, String task) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.cancel(false);
      throw new SpoolException("interrupted while waiting for task '" + task + "'", e);
    } catch (ExecutionException e) {
      throw (RuntimeException) e.getCause(); // always a SpoolException, see async
    }
  }

  /** As {@link #applyAsync(String, Object, Class, Duration)} with the default timeout. */
  public <R> CompletableFuture<R> applyAsync(String task, Object input, Class<R> resultType) {
    return applyAsync(task, input, resultType, settings.defaultTimeout());
  }

  /**
   * Publishes {@code task} on one input and returns at once. The future completes with the result,
   * or exceptionally with {@link TaskFailedException} or {@link TaskTimeoutException}.
   */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, Class<R> resultType, Duration timeout) {
    return handedOff(future(task, input, codec.type(resultType), timeout));
  }

  /**
   * Publishes {@code task} on one input with {@code options} (a countdown or eta: the task waits in
   * the broker until due) and returns at once. The future completes with the result, or
   * exceptionally; its timeout counts from when the task is due.
   */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, Class<R> resultType, TaskOptions options) {
    return handedOff(future(task, input, codec.type(resultType), options));
  }

  /** As {@link #applyAsync(String, Object, Class, TaskOptions)}, waiting for the result. */
  public <R> R apply(String task, Object input, Class<R> resultType, TaskOptions options) {
    return await(future(task, input, codec.type(resultType), options), task);
  }

  /** As {@link #applyAsync(String, Object, Class, TaskOptions)}, for a generic result type. */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, TypeReference<R> resultType, TaskOptions options) {
    return handedOff(future(task, input, codec.type(resultType.getType()), options));
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
  public String submit(String task, Object input, TaskOptions options) {
    ensureOpen();
    requireTaskName(task);
    Instant due = options.dueAt(clock);
    String id = options.id() == null ? UUID.randomUUID().toString() : options.id();
    byte[] body = encodeInput(task, java.util.Collections.singletonList(input), false, 0);
    if (options.uniqueKey() == null) return submit(task, id, body, due, options, null);
    String hash = UniqueKeys.hash(options.uniqueKey());
    java.util.Optional<String> holder;
    try {
      holder = state().uniqueKeys().claim(hash, id, options.uniqueFor());
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot claim the uniqueness key of task " + id + ": " + e.getMessage(), e);
    }
    if (holder.isPresent()) {
      log.debug("task {} not sent: its uniqueness key is held by task {}", task, holder.get());
      return holder.get();
    }
    try {
      return submit(task, id, body, due, options, hash);
    } catch (RuntimeException e) {
      try {
        state().uniqueKeys().release(hash, id); // it was not sent: the key is free again
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private String submit(
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
      state().workflows().fail(id, error, keep);
    } catch (RuntimeException e) {
      why.addSuppressed(e); // it reads as failed after its abandon time anyway
    }
  }

  /** How long a workflow's state and result are kept by default when nothing else says. */
  public static final Duration DEFAULT_WORKFLOW_KEEP = Duration.ofDays(1);

  /**
   * Submits workflow {@code flow} and returns its id once the broker has its first steps: the
   * consumers run it from there, so this process may exit. Its state and result are kept in Redis
   * for {@code options}' keep time (else the pool's, else a day) after it ends, readable by id with
   * {@link AsyncResult}. {@code options} may give its id; other options do not apply.
   *
   * @throws IllegalArgumentException for an input over the size limit or too many steps
   * @throws SpoolConnectionException when Redis or the broker cannot be reached
   */
  public String submit(Workflow flow, TaskOptions options) {
    ensureOpen();
    Objects.requireNonNull(flow, "flow");
    String id = options.id() == null ? UUID.randomUUID().toString() : options.id();
    Duration keep = keepFor("workflow", options);
    if (keep == null) keep = DEFAULT_WORKFLOW_KEEP;
    List<dev.spool.state.Workflows.Node> nodes = new ArrayList<>();
    for (Workflow.Flat f : flow.flatten()) {
      String input = null;
      if (f.hasInput()) {
        byte[] json =
            encodeInput(f.name(), java.util.Collections.singletonList(f.input()), false, 0);
        input = new String(json, java.nio.charset.StandardCharsets.UTF_8);
      }
      nodes.add(
          new dev.spool.state.Workflows.Node(
              f.kind(), f.name(), input, f.parent(), f.index(), f.children()));
    }
    Duration timeout = settings.defaultTimeout();
    List<dev.spool.state.Workflows.Step> first;
    try {
      // Submitting until the broker confirmed its first steps: failed if that never comes.
      first =
          state()
              .workflows()
              .create(id, nodes, keep, clock.instant().plus(timeout).plus(ABANDON_MARGIN));
    } catch (dev.spool.StateConnectionException e) {
      throw new SpoolConnectionException(
          "cannot store workflow " + id + " in Redis: " + e.getMessage(), e);
    }
    List<ConfirmingPublisher.Message> steps = new ArrayList<>(first.size());
    List<Span> spans = new ArrayList<>();
    for (dev.spool.state.Workflows.Step step : first) {
      AMQP.BasicProperties props =
          dev.spool.core.wire.FlowSteps.properties(id, step.node(), step.name(), keep, producerId);
      if (tracing.on()) {
        Map<String, Object> h = new HashMap<>(props.getHeaders());
        spans.add(tracing.publish(step.name(), props.getMessageId(), workQueue, 1, h));
        props = props.builder().headers(h).build();
      }
      steps.add(
          new ConfirmingPublisher.Message(
              workQueue, props, dev.spool.core.wire.FlowSteps.body(step.inputJson())));
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
      if (!state().workflows().submitted(id)) {
        log.warn("workflow {} was given up before its first steps were confirmed", id);
      }
    } catch (dev.spool.StateConnectionException e) {
      // Its first step's end makes it running, as this would have.
      log.warn("cannot mark workflow {} submitted ({}); its first step will", id, e.getMessage());
    }
    tasksPublished.add(first.size());
    return id;
  }

  /** How long task {@code task}'s result is kept: the call's say, else the pool's; null for not. */
  private Duration keepFor(String task, TaskOptions options) {
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
            state().taskRecords().submitted(id, task, null, keep, submission);
          } catch (RuntimeException e) {
            log.warn(
                "cannot record task {} in Redis ({}); it is recorded when it starts",
                id,
                e.getMessage());
          }
        });
  }

  /** Where callers' futures complete ({@link #handedOff}). */
  private final java.util.concurrent.ExecutorService callbacks =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("spool-callback-", 1).factory());

  private final java.util.concurrent.ExecutorService recordWriter =
      java.util.concurrent.Executors.newThreadPerTaskExecutor(
          Thread.ofVirtual().name("spool-record-", 1).factory());

  /** Records a task whose result is kept, before it is published: from then on, it has a state. */
  private void record(String id, String task, Instant due, Duration keep, String submission) {
    try {
      state().taskRecords().submitted(id, task, due, keep, submission);
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
   * The result of task {@code id} as kept in Redis, whoever submitted it (see {@link
   * TaskOptions#withKeepResult}).
   *
   * @throws IllegalArgumentException when {@code id} is not a task id
   */
  public AsyncResult result(String id) {
    ensureOpen();
    return AsyncResult.of(state(), id);
  }

  private Duration timeoutOf(TaskOptions options) {
    return options.timeout() == null ? settings.defaultTimeout() : options.timeout();
  }

  /**
   * Parks a delayed task in Redis until it is due: {@code countdown} from now by Redis's clock, or
   * at {@code due} when there is no countdown. A consumer moves it to the work queue then.
   */
  private void park(AMQP.BasicProperties props, byte[] body, Duration countdown, Instant due) {
    SharedSchedule schedule = state().schedule(Topology.delayedSchedule(queueName));
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
   * The shared state delayed tasks, kept results and cancels go through, connected on first use.
   */
  RedisState state() {
    RedisState s = state;
    if (s == null) {
      synchronized (this) {
        if (state == null) state = stateSource.get();
        s = state;
      }
    }
    return s;
  }

  /**
   * As {@link #apply(String, Object, Class)}, for a generic result type named by a type token:
   *
   * <pre>{@code
   * List<Long> top = pool.apply("top", request, new TypeReference<List<Long>>() {});
   * }</pre>
   */
  public <R> R apply(String task, Object input, TypeReference<R> resultType) {
    return apply(task, input, resultType, settings.defaultTimeout());
  }

  /** As {@link #apply(String, Object, Class, Duration)}, for a generic result type. */
  public <R> R apply(String task, Object input, TypeReference<R> resultType, Duration timeout) {
    return await(future(task, input, codec.type(resultType.getType()), timeout), task);
  }

  /** As {@link #applyAsync(String, Object, Class, Duration)}, for a generic result type. */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, TypeReference<R> resultType, Duration timeout) {
    return handedOff(future(task, input, codec.type(resultType.getType()), timeout));
  }

  private <R> CompletableFuture<R> async(
      String task,
      Object input,
      JavaType type,
      Duration timeout,
      String idempotencyKey,
      Instant due) {
    return async(task, input, type, timeout, idempotencyKey, due, TaskOptions.defaults());
  }

  private <R> CompletableFuture<R> async(
      String task,
      Object input,
      JavaType type,
      Duration timeout,
      String idempotencyKey,
      Instant due,
      TaskOptions options) {
    if (options.uniqueKey() != null) {
      throw new IllegalArgumentException(
          "a uniqueness key works with submit, which returns the id of the task holding it; a"
              + " call that waits for a result would wait on a task it did not send");
    }
    Instant deadline = (due == null ? clock.instant() : due).plus(timeout);
    Pending p;
    try {
      p =
          submit(
              task,
              java.util.Collections.singletonList(input),
              0,
              false,
              deadline,
              idempotencyKey,
              due,
              options,
              keepFor(task, options),
              true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(new SpoolException("interrupted while publishing", e));
    }
    return p.future()
        .handle(
            (r, e) -> {
              if (e != null) throw ResultDecoder.failure(p, e, hint());
              return decoder.<R>values(p, r, type).getFirst();
            });
  }

  /**
   * Runs {@code task} at most once to success under {@code idempotencyKey}: a consumer records the
   * result in Redis under the key, and a later task with the same key (a retry by the caller, or a
   * redelivery) gets that result without running again. The marker lasts the consumers' {@code
   * --idempotency-ttl} (a day by default).
   */
  public <R> R applyOnce(
      String idempotencyKey, String task, Object input, Class<R> resultType, Duration timeout) {
    dev.spool.Names.key("idempotency key", idempotencyKey);
    return await(async(task, input, codec.type(resultType), timeout, idempotencyKey, null), task);
  }

  /** {@code map} with the pool's chunk size and default timeout. */
  public <R> List<R> map(String task, Iterable<?> inputs, Class<R> resultType) {
    return map(task, inputs, resultType, MapOptions.defaults());
  }

  /**
   * Runs {@code task} on every input and returns the results in input order, like {@code Pool.map}.
   *
   * @throws TaskFailedException for the first failed input, in input order
   * @throws TaskTimeoutException when the results did not all come within the timeout
   */
  public <R> List<R> map(String task, Iterable<?> inputs, Class<R> resultType, MapOptions options) {
    return collect(imap(task, inputs, resultType, options), inputs);
  }

  /** As {@link #map(String, Iterable, Class, MapOptions)}, for a generic result type. */
  public <R> List<R> map(
      String task, Iterable<?> inputs, TypeReference<R> resultType, MapOptions options) {
    return collect(imap(task, inputs, resultType, options), inputs);
  }

  private static <R> List<R> collect(MapResults<R> run, Iterable<?> inputs) {
    List<R> results =
        inputs instanceof Collection<?> c ? new ArrayList<>(c.size()) : new ArrayList<>();
    try (run) {
      run.forEachRemaining(results::add);
    }
    return results;
  }

  /** {@code starmap}: each element of {@code argumentLists} is sent as a JSON array. */
  public <R> List<R> starmap(
      String task, Iterable<? extends List<?>> argumentLists, Class<R> resultType) {
    return map(task, argumentLists, resultType, MapOptions.defaults());
  }

  /** {@code starmap} with options. */
  public <R> List<R> starmap(
      String task,
      Iterable<? extends List<?>> argumentLists,
      Class<R> resultType,
      MapOptions options) {
    return map(task, argumentLists, resultType, options);
  }

  /**
   * Lazy {@code map}: publishes in the background and yields results in input order. Close the
   * results to stop early (see {@link MapResults}).
   */
  public <R> MapResults<R> imap(
      String task, Iterable<?> inputs, Class<R> resultType, MapOptions options) {
    return run(task, inputs, codec.type(resultType), options, true);
  }

  /** As {@link #imap(String, Iterable, Class, MapOptions)}, for a generic result type. */
  public <R> MapResults<R> imap(
      String task, Iterable<?> inputs, TypeReference<R> resultType, MapOptions options) {
    return run(task, inputs, codec.type(resultType.getType()), options, true);
  }

  /** {@code imap} with defaults. */
  public <R> MapResults<R> imap(String task, Iterable<?> inputs, Class<R> resultType) {
    return imap(task, inputs, resultType, MapOptions.defaults());
  }

  /** Like {@code imap}, but yields results as they arrive, in any order. */
  public <R> MapResults<R> imapUnordered(
      String task, Iterable<?> inputs, Class<R> resultType, MapOptions options) {
    return run(task, inputs, codec.type(resultType), options, false);
  }

  /** {@code imapUnordered} with defaults. */
  public <R> MapResults<R> imapUnordered(String task, Iterable<?> inputs, Class<R> resultType) {
    return imapUnordered(task, inputs, resultType, MapOptions.defaults());
  }

  private <R> MapResults<R> run(
      String task, Iterable<?> inputs, JavaType resultType, MapOptions options, boolean ordered) {
    ensureOpen();
    Duration timeout = options.timeout() == null ? settings.defaultTimeout() : options.timeout();
    Instant due = TaskOptions.due(options.countdown(), options.eta(), clock);
    Instant deadline = (due == null ? clock.instant() : due).plus(timeout);
    int chunksize = chunksize(inputs, options);
    boolean chunked = chunksize > 1;
    TaskOptions mapOptions = TaskOptions.defaults().withPriority(options.priority());
    MapRun<R> run =
        new MapRun<>(
            ordered,
            ticker.getAsLong() + Duration.between(clock.instant(), deadline).toNanos(),
            resultType,
            decoder,
            pending,
            this::hint,
            MapRun.MAX_AHEAD,
            ticker);
    run.cancelWith(ids -> admin.cancel(ids, QueueAdmin.DEFAULT_CANCEL_KEEP));
    MapRun.ChunkSubmitter submitter =
        (chunk, position) ->
            submit(
                task,
                chunk,
                position,
                chunked,
                deadline,
                options.idempotent() ? "" : null,
                due,
                mapOptions,
                null,
                false);
    if (tracing.on()) { // the feeder thread publishes each chunk as a child of the caller's span
      Context caller = Context.current();
      MapRun.ChunkSubmitter plain = submitter;
      submitter =
          (chunk, position) -> {
            try (Scope ignored = caller.makeCurrent()) {
              return plain.submit(chunk, position);
            }
          };
    }
    return run.start(inputs.iterator(), chunksize, submitter);
  }

  private int chunksize(Iterable<?> inputs, MapOptions options) {
    if (options.chunksize() != null) return options.chunksize();
    if (!(inputs instanceof Collection<?> c)) return 1;
    return MapOptions.autoChunksize(c.size(), admin.consumerCount());
  }

  /**
   * @param idempotencyKey null for none, empty for the task id, else the key
   * @param ownTimer whether the task's own timer fails it at {@code deadline}; false for a map's
   *     tasks, whose run keeps the one deadline they share (a timer per task cost the producer
   *     about a tenth of its CPU in a map)
   */
  private Pending submit(
      String task,
      List<Object> inputs,
      long position,
      boolean chunked,
      Instant deadline,
      String idempotencyKey,
      Instant due,
      TaskOptions options,
      Duration keep,
      boolean ownTimer)
      throws InterruptedException {
    ensureOpen();
    requireTaskName(task);
    String id = options.id() == null ? UUID.randomUUID().toString() : options.id();
    String rateKey = options.rateKey();
    int priority = options.priority();
    String submission = keep == null ? null : submissionToken();
    byte[] body = encodeInput(task, inputs, chunked, position);
    int size = chunked ? inputs.size() : 0;
    TaskMessage m =
        new TaskMessage(id, task, replyQueue, 1, position, size, deadline, producerId, body);
    AMQP.BasicProperties props = m.toProperties();
    Span span = Span.getInvalid();
    if (idempotencyKey != null
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
      if (idempotencyKey != null) {
        h.put(Headers.IDEMPOTENCY_KEY, idempotencyKey.isEmpty() ? id : idempotencyKey);
      }
      if (due != null) h.put(Headers.DUE, due.toEpochMilli());
      props = props.builder().headers(h).priority(priority > 0 ? priority : null).build();
    }
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative()) left = Duration.ZERO;
    Pending p = pending.register(id, task, position, size, ownTimer ? left : null);
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
    } catch (RuntimeException | InterruptedException e) {
      tasksPublished.decrement();
      pending.abandon(p);
      Tracing.failed(span, e);
      throw e;
    }
    return p;
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

  private static void requireTaskName(String task) {
    dev.spool.Names.taskName(task);
  }

  /** The JSON body of a task, checked against the size limit. */
  private byte[] encodeInput(String task, List<Object> inputs, boolean chunked, long position) {
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

  /** What this pool has done since it was created, and what it waits for now. */
  public PoolStats stats() {
    return new PoolStats(
        tasksPublished.sum(),
        publisher.confirmed(),
        pending.received(),
        pending.unmatched(),
        pending.duplicates(),
        pending.inputsByWorker(),
        pending.waiting());
  }

  /** The registry this pool records its meters in. */
  public MeterRegistry meterRegistry() {
    return meterRegistry;
  }

  /**
   * Pausing, cancelling, stopping consumers and the broker's counts, for this pool's work queue, on
   * its connection.
   */
  public QueueAdmin admin() {
    return admin;
  }

  Session session() {
    return session;
  }

  /** The full name of the work queue. */
  public String workQueue() {
    return workQueue;
  }

  /** The full name of this pool's reply queue. */
  public String replyQueue() {
    return replyQueue;
  }

  private String hint() {
    String alarm = publisher.alarmLine();
    if (alarm != null) return alarm;
    if (closed) return "the pool was closed"; // no round trip per pending task on close
    long now = ticker.getAsLong();
    Hint last = lastHint;
    if (last != null && now - last.nanos() < HINT_REUSE_NANOS) return last.text();
    String consumers;
    try {
      consumers = String.valueOf(admin.consumerCount());
    } catch (SpoolException e) {
      consumers = "unknown";
    }
    String text = "consumers on " + workQueue + ": " + consumers + "; are they running?";
    lastHint = new Hint(now, text);
    return text;
  }

  /** A hint and when it was read: many calls timing out at once share one broker round trip. */
  private record Hint(long nanos, String text) {}

  private static final long HINT_REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
  private volatile Hint lastHint;

  void ensureOpen() {
    if (closed) throw new IllegalStateException("the pool is closed");
  }

  /**
   * Fails every waiting call, deletes the reply queue and closes the connection. Idempotent. Tasks
   * already published stay in the work queue and still run.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    recordWriter.shutdown(); // the records being written finish first: Redis closes after
    try {
      if (!recordWriter.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("task records still being written after 5 s; they are written when tasks start");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pending.failAll(new SpoolException("the pool was closed while waiting for this result"));
    callbacks.shutdown(); // the failures just handed over still complete their callers' futures
    if (publisher.blockedReason() != null) {
      // A blocked connection is not read by the broker at all: no confirm, no queue.delete and no
      // connection.close would be answered. Let go at once; the reply queue expires by itself.
      log.warn(
          "the broker blocks this connection ({}); reply queue {} is left to expire in {}",
          publisher.blockedReason(),
          replyQueue,
          Topology.REPLY_QUEUE_EXPIRY);
      session.abort();
      return;
    }
    try {
      publisher.awaitConfirms(Duration.ofSeconds(10));
      if (replyChannel.isOpen()) replyChannel.queueDelete(replyQueue);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      log.warn(
          "could not delete reply queue {} ({}); the broker expires it", replyQueue, e.toString());
    } finally {
      session.close();
      if (ownsState && state != null) state.close();
    }
  }
}
