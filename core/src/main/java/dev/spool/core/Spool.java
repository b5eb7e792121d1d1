package dev.spool.core;

import com.rabbitmq.client.Connection;
import dev.spool.SharedState;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.Handles;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import dev.spool.state.SharedStateConfig;
import dev.spool.state.internal.RedisState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of Spool as a library: one AMQP connection and one Redis pool, shared by every
 * pool, queue, pipe and dead-letter handle made from it. Each handle works on channels of its own
 * and closing it closes only those; closing the {@code Spool} closes every handle still open, then
 * the connections.
 *
 * <pre>{@code
 * SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
 * try (Spool spool = Spool.connect(config);
 *     TaskPool pool = TaskPool.create(spool)) {
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

  static {
    Handles.install((spool, make) -> spool.make(make));
  }

  private final SpoolConfig config;
  private final Topology topology;
  private final Connection connection;
  private final RedisState state;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private Spool(SpoolConfig config, Connection connection, RedisState state) {
    this.config = config;
    this.topology = new Topology(config);
    this.connection = connection;
    this.state = state;
  }

  /**
   * Connects to RabbitMQ now and to Redis on first use.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached or refuses the credentials
   */
  public static Spool connect(SpoolConfig config) {
    RedisState state = redis(config);
    try {
      Connection c =
          new AmqpConnector(config).open(ProcessIdentity.current("spool").connectionName());
      return new Spool(config, c, state);
    } catch (RuntimeException e) {
      state.close();
      throw e;
    }
  }

  /**
   * Shared state alone, on the configuration's Redis and namespace, connecting on first use; the
   * caller closes it. (A {@code Spool}'s own is {@link #state()}.)
   */
  public static SharedState sharedState(SpoolConfig config) {
    return redis(config);
  }

  private static RedisState redis(SpoolConfig config) {
    return RedisState.connect(
        SharedStateConfig.builder()
            .redisUri(config.redisUri().toString())
            .namespace(config.namespace())
            .build());
  }

  /** The configuration this was connected with. */
  public SpoolConfig config() {
    return config;
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

  /** A handle made on a session of this spool's connection, tracked until it closes. */
  private <H extends AutoCloseable> H make(Function<Session, H> make) {
    Session s = session();
    return track(make.apply(s), s);
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
      AmqpConnector.closeQuietly(connection);
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
