package dev.spool.producer;

import com.rabbitmq.client.Connection;
import dev.spool.HandlerRegistry;
import dev.spool.SharedState;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door of Spool as a library, as {@code Connection} is the RabbitMQ client's: one AMQP
 * connection and one Redis client, and every handle made from them: pools, embedded consumers,
 * queues, joinable queues, pipes, dead letters, results, schedules, a scheduler, processes and the
 * shared state. Each handle works on channels of its own and closing it closes only those; closing
 * the {@code Spool} closes every handle still open, then the connections.
 *
 * <pre>{@code
 * SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
 * try (Spool spool = Spool.connect(config);
 *     TaskPool pool = spool.pool()) {
 *   List<Long> squares = pool.map("square", List.of(1, 2, 3), Long.class);
 *   spool.state().dict("totals", String.class, Long.class).put("squares", squares.size() + 0L);
 * }
 * }</pre>
 *
 * <p>Thread-safe. The connection recovers by itself after a network failure or a broker restart;
 * Redis connects on first use.
 */
public final class Spool implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Spool.class);

  private final SpoolConfig config;
  private final Topology topology;
  private final Connection connection;
  private final RedisState state;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile boolean blocked; // by a broker alarm: it reads nothing from this connection

  private Spool(SpoolConfig config, Connection connection, RedisState state) {
    this.config = config;
    this.topology = new Topology(config);
    this.connection = connection;
    this.state = state;
    connection.addBlockedListener(reason -> blocked = true, () -> blocked = false);
  }

  /**
   * Connects to RabbitMQ now and to Redis on first use.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached or refuses the credentials
   */
  public static Spool connect(SpoolConfig config) {
    RedisState state = RedisState.connect(config.stateConfig());
    try {
      Connection c =
          new AmqpConnector(config).open(ProcessIdentity.current("spool").connectionName());
      return new Spool(config, c, state);
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /** The configuration this was connected with. */
  public SpoolConfig config() {
    return config;
  }

  /** A pool with default settings on the default work queue. */
  public TaskPool pool() {
    return pool(TaskPoolConfig.defaults());
  }

  /**
   * A pool with {@code settings}: it declares its work queue and a reply queue of its own, and
   * listens for results.
   *
   * @throws IllegalStateException when this spool is closed
   */
  public TaskPool pool(TaskPoolConfig settings) {
    return pool(settings, new SimpleMeterRegistry());
  }

  /**
   * As {@link #pool(TaskPoolConfig)}, recording publishes, results, round trips and timeouts in
   * {@code meters} (names in docs/operate.md, the metrics table).
   */
  public TaskPool pool(TaskPoolConfig settings, MeterRegistry meters) {
    Session s = session();
    return track(TaskPool.create(s, config, settings, meters, state), s);
  }

  /**
   * Workers in this program: a consumer of {@code settings.queue()} running the handlers of {@code
   * registry} on this spool's connection and shared state. Closing it drains it and leaves the
   * spool open.
   *
   * @throws dev.spool.core.SpoolConnectionException when the queue cannot be consumed
   */
  public SpoolConsumer consumer(ConsumerConfig settings, HandlerRegistry registry) {
    return consumer(settings, registry, new SimpleMeterRegistry());
  }

  /**
   * As {@link #consumer(ConsumerConfig, HandlerRegistry)}, recording task meters in {@code meters}
   * (lock and Redis meters are recorded only by a consumer process, {@code bin/spool-consumer}).
   */
  public SpoolConsumer consumer(
      ConsumerConfig settings, HandlerRegistry registry, MeterRegistry meters) {
    Session s = session();
    try {
      return track(ConsumerRuntime.onSession(config, s, state, settings, registry, meters), s);
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * Task {@code id}'s record: state, progress and result, as kept in Redis.
   *
   * @throws IllegalArgumentException when {@code id} is not 1 to 200 letters, digits, {@code . _ :
   *     -}
   */
  public AsyncResult result(String id) {
    return AsyncResult.of(state(), id);
  }

  /** The periodic schedules of this namespace: add, list, remove. */
  public Schedules schedules() {
    return Schedules.of(state());
  }

  /**
   * A scheduler that fires this namespace's schedules while it holds the lead (one at a time across
   * processes), with the default lease; closed with this spool.
   */
  public Scheduler scheduler() {
    return scheduler(Scheduler.DEFAULT_LEASE, new SimpleMeterRegistry());
  }

  /**
   * A scheduler holding the lead for {@code lease} at a time (1 s to 10 m), counting its fires and
   * skips in {@code meters}; closed with this spool.
   *
   * @throws IllegalArgumentException for a lease out of range
   */
  public Scheduler scheduler(Duration lease, MeterRegistry meters) {
    ensureOpen();
    Scheduler s = Scheduler.start(state, lease, meters);
    open.add(s);
    s.onClose(() -> open.remove(s));
    return s;
  }

  /**
   * Starts {@code main.main(args)} in a new JVM on this JVM's class path: a {@code
   * multiprocessing.Process}. It connects on its own; join it with {@link SpoolProcess#join}.
   *
   * @throws dev.spool.SpoolException when the JVM cannot be started
   */
  public SpoolProcess process(Class<?> main, String... args) {
    ensureOpen();
    return SpoolProcess.start(main, args);
  }

  /**
   * The queue {@code name} of items of {@code type}, declared if needed.
   *
   * @throws IllegalArgumentException when the name is not 1 to 64 of a-z, 0-9, '-', '_'
   */
  public <T> SpoolQueue<T> queue(String name, Class<T> type) {
    Topology.requireQueueName(name);
    Session s = session();
    return track(new SpoolQueue<>(s, topology, name, type, 1), s);
  }

  /** The joinable queue {@code name}; a reader holds one unfinished item at a time. */
  public <T> JoinableQueue<T> joinableQueue(String name, Class<T> type) {
    return joinableQueue(name, type, 1);
  }

  /**
   * The joinable queue {@code name}; a reader holds up to {@code maxUnfinished} items at a time.
   */
  public <T> JoinableQueue<T> joinableQueue(String name, Class<T> type, int maxUnfinished) {
    Topology.requireQueueName(name);
    JoinableQueue.requireMaxUnfinished(maxUnfinished);
    Session s = session();
    return track(new JoinableQueue<>(s, topology, name, type, maxUnfinished, state, false), s);
  }

  /**
   * Whichever end of pipe {@code name} is free, A first.
   *
   * @throws dev.spool.core.PipeTakenException when both ends are open in other processes
   */
  public <T> Pipe<T> pipe(String name, Class<T> type) {
    return Pipe.either(end -> pipe(name, end, type), name);
  }

  /** End {@code end} of pipe {@code name}. */
  public <T> Pipe<T> pipe(String name, Pipe.End end, Class<T> type) {
    topology.pipeQueue(name, end.suffix()); // checks the name
    Session s = session();
    return track(Pipe.open(s, topology, name, end, type), s);
  }

  /** The dead-letter queue of work queue {@code queue}. */
  public DeadLetters deadLetters(String queue) {
    Topology.requireQueueName(queue);
    Session s = session();
    return track(new DeadLetters(s, topology, queue), s);
  }

  /**
   * Shared dicts, lists, counters and locks in Redis, under this configuration's namespace. Closed
   * with this {@code Spool}: do not close it yourself.
   */
  public SharedState state() {
    ensureOpen();
    return state;
  }

  /**
   * How many handles made from this are still open: pools, queues, pipes and dead-letter handles
   * not closed yet (a count that only grows points at a handle leak).
   */
  public int openHandles() {
    return open.size();
  }

  private Session session() {
    ensureOpen();
    return Session.sharing(connection);
  }

  private <H extends AutoCloseable> H track(H handle, Session session) {
    open.add(handle);
    session.onClose(() -> open.remove(handle));
    if (closed) { // closed while the handle was being made
      closeQuietly(handle);
      throw new IllegalStateException("this Spool is closed");
    }
    return handle;
  }

  private void ensureOpen() {
    if (closed) throw new IllegalStateException("this Spool is closed");
  }

  /**
   * Closes every handle still open (a pool fails its waiting calls and deletes its reply queue),
   * then the Redis pool and the AMQP connection. Idempotent.
   */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    List<AutoCloseable> handles = new ArrayList<>(open);
    try {
      for (AutoCloseable h : handles) closeQuietly(h);
    } finally {
      state.close();
      if (blocked) connection.abort(1000); // a close would wait for an answer that never comes
      else AmqpConnector.closeQuietly(connection);
    }
  }

  private static void closeQuietly(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      log.warn("spool: closing {} failed: {}", handle.getClass().getSimpleName(), e.toString());
    }
  }

  @Override
  public String toString() {
    return "Spool{" + config + ", open handles: " + open.size() + (closed ? ", closed}" : "}");
  }
}
