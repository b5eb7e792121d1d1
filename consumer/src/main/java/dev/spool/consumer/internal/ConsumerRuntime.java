package dev.spool.consumer.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.spool.HandlerRegistry;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.ConsumerStats;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.StopReason;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.metrics.Health;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import dev.spool.state.SharedStateConfig;
import dev.spool.state.internal.RedisState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer runtime behind {@link SpoolConsumer}: on a connection of its own ({@code
 * bin/spool-consumer}, tests) or on a session of a {@code Spool}'s ({@code spool.consumer(...)}).
 */
public final class ConsumerRuntime implements SpoolConsumer {
  private static final Logger log = LoggerFactory.getLogger(SpoolConsumer.class);

  private final ProcessIdentity identity;
  private final ConsumerConfig settings;
  private final Connection connection;
  private final Session spoolSession; // on a Spool's connection and shared state; null when its own
  private final Channel consumeChannel;
  private final Channel declareChannel;
  private final java.util.concurrent.ScheduledExecutorService timer;
  private java.util.concurrent.ScheduledExecutorService tuning; // the prefetch window's; or null
  private final ConfirmingPublisher publisher;
  private final DeliveryDispatcher dispatcher;
  private final WorkerPool workers;
  private final RedisState state;
  private final Counters counters;
  private final HealthChecks checks;
  private final CompletableFuture<StopReason> stopRequested = new CompletableFuture<>();
  private final String queue;
  private final String urgentQueue; // the work queue's lane for tasks with a priority
  private volatile String consumerTag;
  private volatile String urgentTag;
  private int subscriptions; // how many this consumer made; under this
  private DelayedMover mover; // moves due delayed tasks to the queue
  private Cancellations cancellations; // cancelled task ids, read from Redis
  private ControlPoller control; // keeps cancellations and the pause flag fresh
  private Heartbeat heartbeat; // this consumer on the workers list; null when turned off
  private HistoryWriter history; // what it did, per minute, in Redis
  private IndexWriter index; // each run's start and end, for the task list; null when off
  private final Clock clock;
  private final java.time.Instant startedAt;
  private final List<String> taskNames;
  private volatile boolean paused; // written under this; read by the heartbeat without it
  private boolean closed;
  private volatile int window; // the prefetch window in force; written under this

  /**
   * @param spoolSession a session on a {@code Spool}'s connection to work on, with {@code
   *     sharedState}; null for a connection and shared state of its own
   */
  private ConsumerRuntime(
      SpoolConfig config,
      ConsumerConfig settings,
      HandlerRegistry registry,
      MeterRegistry meters,
      ProcessIdentity identity,
      Clock clock,
      Session spoolSession,
      RedisState sharedState)
      throws IOException {
    this.identity = identity;
    this.settings = settings;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.taskNames = List.copyOf(registry.names());
    this.spoolSession = spoolSession;
    this.state =
        spoolSession != null
            ? sharedState
            : RedisState.connect(
                SharedStateConfig.builder()
                    .redisUri(config.redisUri().toString())
                    .namespace(config.namespace())
                    .listener(new StateMeters(meters))
                    .build());
    // Alive but subscribed to nothing after a recovery would be idle for ever: exit non-zero,
    // so that the supervisor starts a consumer that subscribes.
    this.connection =
        spoolSession != null
            ? spoolSession.connection()
            : openOrRelease(config, identity, state, why -> requestStop(new StopReason(why, true)));
    Clock shared = sharedClock(state, clock, config);
    try {
      Topology topology = new Topology(config);
      this.consumeChannel = channel();
      this.declareChannel = channel();
      this.queue = topology.declareWorkQueue(declareChannel, settings.queue());
      this.urgentQueue = topology.declareUrgentQueue(declareChannel, settings.queue());
      this.counters = new Counters(meters, queue, name -> registry.find(name).isPresent());
      this.window = settings.prefetch();
      consumeChannel.basicQos(window);
      this.publisher = new ConfirmingPublisher(channel(), Integer.MAX_VALUE);
      this.checks = new HealthChecks(publisher, state);
      this.workers =
          new WorkerPool(
              settings.concurrency(),
              settings.virtualThreads(),
              settings.concurrency(),
              why -> requestStop(new StopReason(why, true)));
      this.timer = TimeLimit.Scheduler.newTimer("spool-time-limits");
      timer.scheduleWithFixedDelay(
          () -> checks.wedged().ifPresent(this::requestStop), 5, 5, TimeUnit.SECONDS);
      if (settings.prefetchAdaptive()) {
        PrefetchTuner tuner =
            new PrefetchTuner(
                settings.prefetch(), ConsumerConfig.widePrefetch(settings.concurrency()));
        counters.tuner(tuner);
        // A thread of its own: resizing waits for the broker, and for this object's lock, which
        // close() holds while it drains; time limits on the timer must not wait behind either.
        this.tuning = TimeLimit.Scheduler.newTimer("spool-prefetch");
        tuning.scheduleWithFixedDelay(
            () -> resize(tuner.next(window())), 500, 500, TimeUnit.MILLISECONDS);
      }
      this.cancellations = new Cancellations(state.expiringSet(Topology.CANCELLED_SET), clock);
      this.dispatcher =
          new DeliveryDispatcher(
              consumeChannel,
              registry,
              workers,
              timer,
              new DeliveryDispatcher.Settlement(
                  publisher,
                  declareChannel,
                  topology,
                  settings,
                  config.maxMessageBytes(),
                  identity.id(),
                  state,
                  new JsonCodec()),
              counters,
              clock,
              new DeliveryDispatcher.StopSignals() {
                @Override
                public void stopRequested(String why) {
                  requestStop(new StopReason(why, false));
                }

                @Override
                public void channelLost(String why) {
                  requestStop(new StopReason(why, true));
                }
              },
              cancellations);
      List<ControlPoller.Refreshable> controlled = new java.util.ArrayList<>();
      controlled.add(cancellations);
      if (settings.heartbeat()) {
        this.heartbeat =
            new Heartbeat(
                state.workers(), identity.id(), this::report, new JsonCodec(), System::nanoTime);
        controlled.add(heartbeat);
        controlled.add(heartbeat.pings());
      }
      this.history = new HistoryWriter(state.history(), counters, clock, System::nanoTime);
      controlled.add(history);
      if (settings.taskIndex()) {
        this.index = new IndexWriter(state.taskIndex(), settings.queue(), identity.id(), clock);
        counters.index(index);
        controlled.add(index);
      }
      controlled.add(
          new PauseSwitch(
              state.value(Topology.pauseFlag(settings.queue()), String.class),
              flag -> {
                if (flag.isPresent()) pause(flag.get());
                else resume();
              }));
      this.control = new ControlPoller(controlled, announcements(state), System::nanoTime);
      control.start();
      if (shared != null) dispatcher.datePillsBy(shared);
      this.mover =
          new DelayedMover(
              // Tasks put aside by a rate limit wait apart (status counts them apart); only a
              // consumer with limits looks for them, so the others pay no Redis call for it.
              settings.rateLimitByTask().isEmpty()
                  ? List.of(state.schedule(Topology.delayedSchedule(settings.queue())))
                  : List.of(
                      state.schedule(Topology.delayedSchedule(settings.queue())),
                      state.schedule(Topology.rateLimitedSchedule(settings.queue()))),
              publisher,
              queue,
              urgentQueue,
              counters,
              dispatcher::deadLetterParked);
      mover.start();
      synchronized (this) {
        if (!paused) subscribe(); // else it subscribes when resumed
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  /**
   * Connects, declares the work queue and starts consuming.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached
   * @throws dev.spool.SpoolException when the queue cannot be declared
   */
  public static ConsumerRuntime start(
      SpoolConfig config, ConsumerConfig settings, HandlerRegistry registry) {
    return start(config, settings, registry, new SimpleMeterRegistry());
  }

  /**
   * As {@link #start(SpoolConfig, ConsumerConfig, HandlerRegistry)}, recording task, lock and
   * shared-state meters in {@code meters} (see docs/operate.md, the metrics table).
   */
  public static ConsumerRuntime start(
      SpoolConfig config, ConsumerConfig settings, HandlerRegistry registry, MeterRegistry meters) {
    return start(
        config, settings, registry, meters, ProcessIdentity.current("consumer"), Clock.systemUTC());
  }

  /**
   * A consumer in this process on a session of a {@code Spool}'s connection and on its shared state
   * ({@code Spool.consumer}). Its {@link #close()} leaves the connection open. Lock and Redis
   * meters are not recorded for it (the spool's shared state has no meters); task meters go to
   * {@code meters}.
   */
  public static ConsumerRuntime onSession(
      SpoolConfig config,
      Session session,
      RedisState state,
      ConsumerConfig settings,
      HandlerRegistry registry,
      MeterRegistry meters) {
    try {
      ConsumerRuntime c =
          new ConsumerRuntime(
              config,
              settings,
              registry,
              meters,
              ProcessIdentity.current("consumer"),
              Clock.systemUTC(),
              session,
              state);
      return started(c, config, "the spool's connection to ", registry);
    } catch (IOException e) {
      throw new SpoolConnectionException(
          "cannot start consuming on the spool's connection: " + AmqpConnector.reason(e), e);
    }
  }

  /** As {@link #start(SpoolConfig, ConsumerConfig, HandlerRegistry)}, with identity and clock. */
  public static ConsumerRuntime start(
      SpoolConfig config,
      ConsumerConfig settings,
      HandlerRegistry registry,
      ProcessIdentity identity,
      Clock clock) {
    return start(config, settings, registry, new SimpleMeterRegistry(), identity, clock);
  }

  /** The full form: meters, identity and clock given. */
  public static ConsumerRuntime start(
      SpoolConfig config,
      ConsumerConfig settings,
      HandlerRegistry registry,
      MeterRegistry meters,
      ProcessIdentity identity,
      Clock clock) {
    try {
      ConsumerRuntime c =
          new ConsumerRuntime(config, settings, registry, meters, identity, clock, null, null);
      return started(c, config, "", registry);
    } catch (IOException e) {
      throw new SpoolConnectionException(
          "cannot start consuming on " + config.amqpUriRedacted() + ": " + AmqpConnector.reason(e),
          e);
    }
  }

  /** Says what a new consumer consumes, and what in its settings will bite later. */
  private static ConsumerRuntime started(
      ConsumerRuntime c, SpoolConfig config, String on, HandlerRegistry registry) {
    log.info(
        "{} {} (concurrency {}, prefetch {}) on {}{} as '{}'; tasks: {}",
        c.paused() ? "paused on" : "consuming",
        c.queue,
        c.settings.concurrency(),
        c.settings.prefetch(),
        on,
        config.amqpUriRedacted(),
        c.identity.connectionName(),
        registry.names());
    HealthChecks.warnAboutLimits(c.settings, config);
    return c;
  }

  /** The consumer's id, {@code host/pid}, as it appears in results and logs. */
  @Override
  public String id() {
    return identity.id();
  }

  /** The full name of the queue consumed. */
  @Override
  public String queue() {
    return queue;
  }

  @Override
  public ConsumerStats stats() {
    return counters.snapshot();
  }

  /**
   * What the heartbeat publishes: who this consumer is, its state and what it runs now. Read by
   * {@code spool-producer workers}, {@code ping}, {@code inspect active} and the dashboard.
   */
  private Map<String, Object> report() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", identity.id());
    r.put("host", identity.host());
    r.put("pid", identity.pid());
    r.put("queue", settings.queue());
    r.put("concurrency", settings.concurrency());
    r.put("prefetch", window);
    r.put("version", VERSION);
    r.put("started", startedAt.toString());
    java.time.Instant now = clock.instant();
    r.put("reported", now.toString()); // by this host's clock
    r.put("state", stopRequested.isDone() ? "stopping" : paused ? "paused" : "running");
    r.put("rabbitmq", brokerState());
    r.put("tasks", taskNames);
    r.put("stats", counters.snapshot());
    r.put(
        "active",
        cancellations.active().stream()
            .map(
                t ->
                    Map.of(
                        "id", t.id(),
                        "name", t.name(),
                        "attempt", t.attempt(),
                        "started", t.started().toString(),
                        "runningMs", Duration.between(t.started(), now).toMillis()))
            .toList());
    return r;
  }

  /** {@code up}, or what is wrong with the broker connection or the consuming channel. */
  private String brokerState() {
    if (!connection.isOpen()) return "connection lost; recovering";
    return consumeChannel.isOpen() ? Health.UP : "channel closed";
  }

  private static final String VERSION =
      java.util.Objects.requireNonNullElse(
          ConsumerRuntime.class.getPackage().getImplementationVersion(), "dev");

  /**
   * Whether this consumer can work now: its broker connection and channel are open (not lost or
   * recovering), it has not been asked to stop, and Redis answers a PING. Blocks for at most the
   * Redis timeout.
   */
  @Override
  public Health health() {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("rabbitmq", brokerState());
    c.put("publishing", checks.publishingState(System.nanoTime()));
    c.put(
        "consumer",
        stopRequested.isDone() ? "stopping: " + stopRequested.getNow(null).reason() : Health.UP);
    c.put("redis", checks.redisHealth());
    return new Health(c);
  }

  /**
   * Stops taking tasks without stopping: the subscription is cancelled, tasks prefetched and not
   * started go back to the queue, running ones finish. Consumers do this themselves when the
   * queue's pause flag is set ({@code spool-producer pause}); {@link #resume} undoes it. While
   * paused, pills wait in the queue too.
   */
  @Override
  public synchronized void pause(String why) {
    if (paused || closed) return;
    paused = true;
    workers.hold(true);
    dispatcher.paused(true);
    if (consumerTag != null) cancelSubscription();
    log.info("paused ({}): taking no tasks from {} until resumed", why, queue);
  }

  /** Takes tasks again after {@link #pause}. */
  @Override
  public synchronized void resume() {
    if (!paused || closed) return;
    paused = false;
    workers.hold(false);
    dispatcher.paused(false);
    try {
      subscribe();
      log.info("resumed: taking tasks from {} again", queue);
    } catch (IOException | RuntimeException e) {
      requestStop(new StopReason("cannot consume again after a pause: " + e, true));
    }
  }

  /** The prefetch window in force. */
  int window() {
    return window;
  }

  /**
   * Takes a new prefetch window ({@link PrefetchTuner}): cancels the subscription, sets the window
   * and subscribes again. Widening, the tasks already delivered stay and run. Narrowing, the ones
   * not started go back to the queue first, marked as handed back (so they run as innocent, beside
   * others, wherever they land), save those delivered before: otherwise a consumer that widened on
   * short tasks would keep up to the wide window of long ones while other consumers idle, and the
   * new subscription's window would come on top of them. Nothing happens while paused, stopping or
   * closed (resuming subscribes with the window in force), nor while the channel is down: the
   * client recovers the subscription it recorded, and a cancel then would leave nothing to recover.
   * A failure midway stops the consumer, non-zero, as a failed resume does: subscribed to nothing
   * it would idle.
   */
  synchronized void resize(int next) {
    if (next == window || paused || closed || stopRequested.isDone() || consumerTag == null) return;
    if (!consumeChannel.isOpen()) return;
    int was = window;
    try {
      cancelSubscription();
      consumeChannel.basicQos(next);
      window = next;
      if (next > was) {
        subscribe();
        log.info("prefetch window {} -> {}: tasks ran a few ms or less on average", was, next);
      } else {
        // before subscribing again, so that other consumers have the first chance at them
        int back = workers.handBackUnstarted(dispatcher);
        subscribe();
        log.info(
            "prefetch window {} -> {}: tasks ran 50 ms or more on average, or one has run {} ms;"
                + " {} prefetched task(s) handed back unstarted",
            was,
            next,
            PrefetchTuner.LONG_RUN_NANOS / 1_000_000,
            back);
      }
    } catch (IOException | RuntimeException e) {
      requestStop(new StopReason("cannot consume again with a new prefetch window: " + e, true));
    }
  }

  /** Whether this consumer is paused ({@link #pause}). */
  @Override
  public synchronized boolean paused() {
    return paused;
  }

  /** Asks the consumer to stop, as a pill would. The first request's reason wins. */
  @Override
  public void requestStop(String reason) {
    requestStop(new StopReason(reason, false));
  }

  private void requestStop(StopReason reason) {
    if (dispatcher != null) dispatcher.stopTaking(); // null only while the constructor runs
    if (stopRequested.complete(reason)) {
      log.info("stopping: {}", reason.reason());
    }
  }

  /** Blocks until a pill, {@link #requestStop} or a lost channel asks the consumer to stop. */
  @Override
  public StopReason awaitStopRequest() throws InterruptedException {
    try {
      return stopRequested.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** As {@link #awaitStopRequest()}, giving up after {@code timeout}; null when it did. */
  @Override
  public StopReason awaitStopRequest(Duration timeout) throws InterruptedException {
    try {
      return stopRequested.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /**
   * Stops cleanly: no new deliveries, prefetched ones back to the queue unstarted, running tasks
   * finish (interrupted after the drain timeout), results confirmed and acked, connection closed.
   */
  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    requestStop(new StopReason("closed", false));
    try {
      if (mover != null) mover.close(); // what it claimed and did not move, Redis gives out again
      if (control != null) control.close();
      if (!paused) cancelSubscription();
      int handedBack = workers.handBack(dispatcher);
      log.info("handed {} prefetched task(s) back to {}", handedBack, queue);
      if (!workers.awaitIdle(settings.drainTimeout())) {
        log.warn("tasks still running after {}; interrupting them", settings.drainTimeout());
      }
      if (!dispatcher.awaitReplies(Duration.ofSeconds(10))) {
        log.warn("results still unconfirmed after 10 s; their tasks will be delivered again");
      }
      publisher.awaitConfirms(Duration.ofSeconds(10));
      dispatcher.flushAcks();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (history != null) history.flush(); // what the drain did, in the history too
      if (index != null) index.flush();
      if (heartbeat != null) heartbeat.close(); // off the workers list, once drained
      dispatcher.close();
      closeQuietly();
      log.info("stopped; {}", counters.snapshot());
    }
  }

  /**
   * Consumes the work queue and its urgent lane, each with its own prefetch window, so that a task
   * with a priority is delivered at once even while the window of the work queue is full; the
   * worker pool then runs it before the tasks of priority 0 it holds.
   */
  private void subscribe() throws IOException {
    // Each subscription under tags of its own: a quorum queue keeps counting a cancelled
    // subscription's unsettled deliveries (a task that ran through a pause) against its tag, and
    // RabbitMQ before 3.10.9 closed the connection when a new subscription took that tag again
    // (541 INTERNAL_ERROR, rabbitmq-server#5927): every prefetched task came back a suspect.
    String tag = subscriptions++ == 0 ? identity.id() : identity.id() + "#" + subscriptions;
    consumerTag = consumeChannel.basicConsume(queue, false, tag, dispatcher);
    urgentTag = consumeChannel.basicConsume(urgentQueue, false, tag + "/urgent", dispatcher);
  }

  private void cancelSubscription() {
    for (String tag : new String[] {consumerTag, urgentTag}) {
      if (tag == null) continue;
      try {
        if (consumeChannel.isOpen()) consumeChannel.basicCancel(tag);
      } catch (IOException | RuntimeException e) {
        log.warn(
            "could not cancel the subscription ({}); closing the connection instead", e.toString());
      }
    }
  }

  /**
   * The Redis server's clock, through an offset to {@code host}: pills and consumers then date
   * themselves by one clock, whatever their hosts' clocks say. Null when Redis does not answer,
   * with a warning: that is also the start-up check that Redis answers.
   */
  private static Clock sharedClock(RedisState state, Clock host, SpoolConfig config) {
    try {
      long before = host.millis();
      java.time.Instant redis = state.serverTime();
      long after = host.millis();
      long offset = redis.toEpochMilli() - (before + after) / 2;
      if (Math.abs(offset) > 2000) {
        log.warn(
            "this host's clock is {} ms {} the Redis server's; Spool dates pills by Redis's clock",
            Math.abs(offset),
            offset > 0 ? "behind" : "ahead of");
      }
      return Clock.offset(host, Duration.ofMillis(offset));
    } catch (RuntimeException e) {
      log.warn(
          "Redis does not answer at {} ({}): tasks that use shared state, locks or idempotency keys"
              + " will be put back until it does, and pills are dated by this host's clock; check"
              + " SPOOL_REDIS_URI",
          config.redisUriRedacted(),
          e.getMessage());
      return null;
    }
  }

  private static Connection openOrRelease(
      SpoolConfig config,
      ProcessIdentity identity,
      RedisState state,
      java.util.function.Consumer<String> recoveryFailed) {
    try {
      return new AmqpConnector(config).open(identity.connectionName(), recoveryFailed);
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /** A channel on the consumer's own connection, or on the session it shares. */
  private Channel channel() throws IOException {
    return spoolSession != null ? spoolSession.channel() : connection.createChannel();
  }

  private void closeQuietly() {
    if (checks != null) checks.close();
    if (workers != null) workers.shutdownNow();
    if (timer != null) timer.shutdownNow();
    if (tuning != null) tuning.shutdownNow();
    if (control != null) control.close();
    if (mover != null) mover.close();
    if (spoolSession != null) { // the Spool's connection and shared state stay; its channels go
      spoolSession.close();
      return;
    }
    state.close();
    try {
      if (connection.isOpen()) connection.close(5000);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "closing the connection failed ({}); the broker requeues what was unacked", e.toString());
      connection.abort(1000);
    }
  }

  /** The control announcements of {@code state}'s namespace, as the poller waits for them. */
  private static ControlPoller.Announcements announcements(RedisState state) {
    dev.spool.state.internal.ChannelNotifier.Interest changes = state.controlChanges();
    return new ControlPoller.Announcements() {
      @Override
      public long generation() {
        return changes.generation();
      }

      @Override
      public void await(long seen, long millis) throws InterruptedException {
        changes.await(seen, millis);
      }

      @Override
      public void close() {
        changes.close();
      }
    };
  }
}
