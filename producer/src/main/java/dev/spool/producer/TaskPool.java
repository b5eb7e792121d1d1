package dev.spool.producer;

import com.fasterxml.jackson.databind.JavaType;
import com.rabbitmq.client.Channel;
import dev.spool.SpoolException;
import dev.spool.TypeToken;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.TaskFailedException;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import dev.spool.core.wire.Tracing;
import dev.spool.producer.internal.PendingTasks;
import dev.spool.producer.internal.ProducerMeters;
import dev.spool.producer.internal.ReplyListener;
import dev.spool.producer.internal.ResultDecoder;
import dev.spool.state.internal.Ids;
import dev.spool.state.internal.RedisState;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of remote workers, in the spirit of {@code multiprocessing.Pool}: tasks are published to a
 * RabbitMQ work queue, consumer processes run them, and results come back on this pool's own reply
 * queue.
 *
 * <pre>{@code
 * try (Spool spool = Spool.connect(SpoolConfig.fromEnvironment(System.getenv()));
 *     TaskPool pool = spool.pool()) {
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
  private final String producerId;
  private final Session session;
  private final Channel replyChannel;
  private final ConfirmingPublisher publisher;
  private final String workQueue;
  private final String replyQueue;
  private final Supplier<RedisState> stateSource; // where delayed tasks wait: Redis
  private final boolean ownsState;
  private volatile RedisState state; // connected on the first delayed task
  private final JsonCodec codec = new JsonCodec();
  private final PendingTasks pending;
  private final MeterRegistry meterRegistry;
  private final Clock clock;
  private final TaskPublisher tasks;
  private final QueueAdmin admin;
  private final PoolCalls calls;
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
    this.ownsState = shared == null;
    this.stateSource =
        shared == null ? () -> RedisState.connect(config.stateConfig()) : () -> shared;
    this.settings = settings;
    this.meterRegistry = meterRegistry;
    this.clock = clock;
    Tracing tracing = Tracing.ofOrGlobal(settings.openTelemetry());
    this.producerId =
        me.host().replaceAll("[^A-Za-z0-9_-]", "_")
            + "-"
            + me.pid()
            + "-"
            + Ids.random().substring(0, 8);
    Topology topology = new Topology(config);
    ProducerMeters meters = new ProducerMeters(meterRegistry, topology.workQueue(settings.queue()));
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
    this.tasks =
        new TaskPublisher(
            this,
            session,
            topology,
            publisher,
            codec,
            pending,
            meters,
            tracing,
            clock,
            settings,
            producerId,
            replyQueue,
            config.maxMessageBytes());
    this.calls =
        new PoolCalls(
            this,
            tasks,
            new ResultDecoder(codec),
            publisher,
            clock,
            ticker,
            workQueue,
            pending,
            tracing,
            settings.defaultTimeout());
    this.admin =
        new QueueAdmin(
            this,
            settings.queue(),
            workQueue,
            producerId,
            clock,
            publisher,
            settings.defaultTimeout());
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
    return calls.call(task, input, codec.type(resultType), timeout, TaskPublisher.Idempotency.NONE);
  }

  /**
   * A call's result as the pool completes it: on the client's reader thread, for pool code only.
   */
  private <R> CompletableFuture<R> future(
      String task, Object input, JavaType type, Duration timeout) {
    return calls.async(task, input, type, timeout, TaskPublisher.Idempotency.NONE, null);
  }

  private <R> CompletableFuture<R> future(
      String task, Object input, JavaType type, TaskOptions options) {
    return calls.async(
        task,
        input,
        type,
        timeoutOf(options),
        TaskPublisher.Idempotency.NONE,
        options.dueAt(clock),
        options);
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
    return calls.handedOff(future(task, input, codec.type(resultType), timeout));
  }

  /**
   * Publishes {@code task} on one input with {@code options} (a countdown or eta: the task waits in
   * the broker until due) and returns at once. The future completes with the result, or
   * exceptionally; its timeout counts from when the task is due.
   */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, Class<R> resultType, TaskOptions options) {
    return calls.handedOff(future(task, input, codec.type(resultType), options));
  }

  /** As {@link #applyAsync(String, Object, Class, TaskOptions)}, waiting for the result. */
  public <R> R apply(String task, Object input, Class<R> resultType, TaskOptions options) {
    return PoolCalls.await(future(task, input, codec.type(resultType), options), task);
  }

  /** As {@link #applyAsync(String, Object, Class, TaskOptions)}, for a generic result type. */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, TypeToken<R> resultType, TaskOptions options) {
    return calls.handedOff(future(task, input, codec.type(resultType.type()), options));
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
    return tasks.submit(task, input, options);
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
  public String submit(Workflow flow, TaskOptions options) {
    return tasks.submit(flow, options);
  }

  /** How long a workflow's state and result are kept by default when nothing else says. */
  public static final Duration DEFAULT_WORKFLOW_KEEP = Duration.ofDays(1);

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
   * List<Long> top = pool.apply("top", request, new TypeToken<List<Long>>() {});
   * }</pre>
   */
  public <R> R apply(String task, Object input, TypeToken<R> resultType) {
    return apply(task, input, resultType, settings.defaultTimeout());
  }

  /** As {@link #apply(String, Object, Class, Duration)}, for a generic result type. */
  public <R> R apply(String task, Object input, TypeToken<R> resultType, Duration timeout) {
    return calls.call(
        task, input, codec.type(resultType.type()), timeout, TaskPublisher.Idempotency.NONE);
  }

  /** As {@link #applyAsync(String, Object, Class, Duration)}, for a generic result type. */
  public <R> CompletableFuture<R> applyAsync(
      String task, Object input, TypeToken<R> resultType, Duration timeout) {
    return calls.handedOff(future(task, input, codec.type(resultType.type()), timeout));
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
    return calls.call(
        task,
        input,
        codec.type(resultType),
        timeout,
        TaskPublisher.Idempotency.under(idempotencyKey));
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
    return PoolCalls.collect(imap(task, inputs, resultType, options), inputs);
  }

  /** As {@link #map(String, Iterable, Class, MapOptions)}, for a generic result type. */
  public <R> List<R> map(
      String task, Iterable<?> inputs, TypeToken<R> resultType, MapOptions options) {
    return PoolCalls.collect(imap(task, inputs, resultType, options), inputs);
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
    return calls.run(task, inputs, codec.type(resultType), options, true);
  }

  /** As {@link #imap(String, Iterable, Class, MapOptions)}, for a generic result type. */
  public <R> MapResults<R> imap(
      String task, Iterable<?> inputs, TypeToken<R> resultType, MapOptions options) {
    return calls.run(task, inputs, codec.type(resultType.type()), options, true);
  }

  /** {@code imap} with defaults. */
  public <R> MapResults<R> imap(String task, Iterable<?> inputs, Class<R> resultType) {
    return imap(task, inputs, resultType, MapOptions.defaults());
  }

  /** Like {@code imap}, but yields results as they arrive, in any order. */
  public <R> MapResults<R> imapUnordered(
      String task, Iterable<?> inputs, Class<R> resultType, MapOptions options) {
    return calls.run(task, inputs, codec.type(resultType), options, false);
  }

  /** {@code imapUnordered} with defaults. */
  public <R> MapResults<R> imapUnordered(String task, Iterable<?> inputs, Class<R> resultType) {
    return imapUnordered(task, inputs, resultType, MapOptions.defaults());
  }

  /** What this pool has done since it was created, and what it waits for now. */
  public PoolStats stats() {
    return new PoolStats(
        tasks.published(),
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

  boolean isClosed() {
    return closed;
  }

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
    try {
      tasks.close(); // the records being written finish first: Redis closes after
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pending.failAll(new SpoolException("the pool was closed while waiting for this result"));
    calls.close(); // the failures just handed over still complete their callers' futures
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
