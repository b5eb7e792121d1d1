package dev.spool.state.internal;

import dev.spool.DistributedLock;
import dev.spool.MultiLock;
import dev.spool.SharedCounter;
import dev.spool.SharedDict;
import dev.spool.SharedList;
import dev.spool.SharedState;
import dev.spool.SharedStateException;
import dev.spool.SharedValue;
import dev.spool.state.HeldLock;
import dev.spool.state.LockStats;
import dev.spool.state.SharedObjects;
import dev.spool.state.SharedStateConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The client for shared state: hands out shared objects and locks by name, under a namespace. Owns
 * a Jedis pool, two subscriber connections (lock releases; announcements of delayed entries due
 * soonest and of control changes) and one timer thread. Close it when done; closing twice is
 * harmless. Thread-safe; share one per process.
 */
public final class RedisState implements SharedState {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisState.class);

  private final SharedStateConfig config;
  private final Redis redis;
  private final StateCodec codec = new StateCodec();
  private final ChannelNotifier notifier;
  private final ChannelNotifier announcements; // schedule entries due soonest; control changes
  private final ScheduledThreadPoolExecutor timer;
  private final LockEngine locks;
  private volatile boolean closed;

  private RedisState(SharedStateConfig config) {
    this.config = config;
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(config.poolSize());
    pool.setMaxIdle(config.poolSize());
    pool.setJmxEnabled(false);
    RedisEndpoint endpoint = RedisEndpoint.of(config.redisUri());
    UnifiedJedis client = endpoint.client(pool);
    this.redis =
        new Redis(
            client,
            config.redisUriRedacted(),
            config.listener(),
            endpoint.waitReplicas(),
            endpoint.waitTimeoutMs());
    this.timer =
        new ScheduledThreadPoolExecutor(
            1, r -> Thread.ofPlatform().daemon().name("spool-state-timer").unstarted(r));
    timer.setRemoveOnCancelPolicy(true);
    this.notifier =
        new ChannelNotifier(() -> endpoint.connect(client), config.namespace() + ":lock-released");
    this.announcements =
        new ChannelNotifier(() -> endpoint.connect(client), config.namespace() + ":announce");
    this.locks = new LockEngine(redis, config, notifier, timer, processId());
  }

  /**
   * A client for {@code config}. Connects lazily: the first call that needs Redis reports an
   * unreachable server ({@link StateConnectionException}); {@link #ping()} checks at once.
   */
  /**
   * {@code state} as what it is, the Redis client, for Spool's own modules: every {@code
   * SharedState} they hand out is one.
   *
   * @throws IllegalArgumentException when it is another implementation
   */
  public static RedisState of(SharedState state) {
    if (state instanceof RedisState r) return r;
    throw new IllegalArgumentException(
        "not Spool's shared state on Redis: " + (state == null ? null : state.getClass()));
  }

  public static RedisState connect(SharedStateConfig config) {
    return new RedisState(config);
  }

  public SharedStateConfig config() {
    return config;
  }

  /** Round trip to Redis; throws {@link StateConnectionException} when it does not answer. */
  @Override
  public void ping() {
    redis.call("PING", UnifiedJedis::ping);
  }

  /**
   * The Redis server's clock ({@code TIME}), in milliseconds: one clock that every process of an
   * application shares, whatever its own host's clock says.
   *
   * @throws StateConnectionException when Redis does not answer
   */
  @Override
  public java.time.Instant serverTime() {
    java.util.List<?> t = redis.call("TIME", j -> (java.util.List<?>) j.sendCommand(Command.TIME));
    long seconds = Long.parseLong(SafeEncoder.encode((byte[]) t.get(0)));
    long micros = Long.parseLong(SafeEncoder.encode((byte[]) t.get(1)));
    return java.time.Instant.ofEpochSecond(seconds, micros * 1000);
  }

  @Override
  public <K, V> SharedDict<K, V> dict(String name, Class<K> keyType, Class<V> valueType) {
    return new RedisDict<>(redis, codec, key("dict", name), keyType, valueType);
  }

  @Override
  public <V> SharedList<V> list(String name, Class<V> type) {
    return new RedisList<>(redis, codec, key("list", name), type);
  }

  @Override
  public SharedCounter counter(String name) {
    return new RedisCounter(redis, key("counter", name));
  }

  /**
   * The name announced on the namespace's channel ({@code <ns>:announce}) when what consumers keep
   * in step with Redis changes: a cancel, a pause or its end, a ping of the workers list.
   */
  public static final String CONTROL = "control";

  /**
   * Announces a {@link #CONTROL} change, so that consumers read it now rather than at their next
   * look. Best effort: when it cannot be sent, they read it at that look; the change itself is
   * stored already.
   */
  public void announceControl() {
    try {
      redis.call("announce", "announce a change", j -> j.publish(announcements.channel(), CONTROL));
    } catch (SharedStateException e) {
      log.debug(
          "could not announce a change ({}); consumers see it at their next look", e.toString());
    }
  }

  /**
   * An interest in {@link #CONTROL} announcements: read its generation before reading what they
   * announce, then sleep on it. Subscribes on first use; close it when done.
   */
  public ChannelNotifier.Interest controlChanges() {
    announcements.start();
    return announcements.interest(CONTROL);
  }

  /** The schedule {@code name}: entries that fall due by Redis's clock (delayed tasks). */
  public SharedSchedule schedule(String name) {
    return new SharedSchedule(redis, key("schedule", name), announcements);
  }

  /** The timetable {@code name}: periodic entries and when each next falls due. */
  public SharedTimetable timetable(String name) {
    return new SharedTimetable(redis, key("timetable", name));
  }

  /** The records of tasks whose results are kept, by task id (results by id). */
  public TaskRecords taskRecords() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new TaskRecords(redis, config.namespace());
  }

  /**
   * Live workers' reports and pings (heartbeats, {@code spool-producer workers} and {@code ping}).
   */
  public WorkerRegistry workers() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new WorkerRegistry(redis, config.namespace(), this::announceControl);
  }

  /** The state of workflows (chain, group, chord) as consumers advance them. */
  public Workflows workflows() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new Workflows(redis, config.namespace(), taskRecords());
  }

  /** The most recent runs of every task: the dashboard's task list. */
  public TaskIndex taskIndex() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new TaskIndex(redis, config.namespace());
  }

  /** Tasks succeeded and failed per minute, the last day: the throughput history. */
  public TaskHistory history() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new TaskHistory(redis, config.namespace());
  }

  /** What consumers know of tasks that came back unacked (a task that kills its consumer). */
  public CrashRecords crashRecords() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new CrashRecords(redis, config.namespace());
  }

  /** The uniqueness keys of tasks (unique tasks). */
  public UniqueKeys uniqueKeys() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return new UniqueKeys(redis, config.namespace());
  }

  /** The rate schedule {@code name}: start slots at most N per period (rate limits). */
  public RateSchedule rateSchedule(String name) {
    return new RateSchedule(redis, key("rate", name));
  }

  /** The set {@code name} whose members expire one by one (cancelled task ids). */
  public ExpiringSet expiringSet(String name) {
    return new ExpiringSet(redis, key("set", name), this::announceControl);
  }

  @Override
  public <V> SharedValue<V> value(String name, Class<V> type) {
    return new RedisValue<>(redis, codec, key("value", name), type);
  }

  @Override
  public DistributedLock lock(String name) {
    return new RedisLock(locks, Names.require("lock", name), false);
  }

  /** Several locks, taken together in canonical order, all or nothing. */
  @Override
  public MultiLock locks(String... names) {
    if (names.length == 0) throw new IllegalArgumentException("locks() needs at least one name");
    TreeSet<String> sorted = new TreeSet<>();
    for (String n : names) sorted.add(Names.require("lock", n));
    return new RedisMultiLock(locks, sorted);
  }

  /**
   * True when Redis lost this namespace's shared state while Spool used it (a restart without
   * persistence, a lossy failover) and no lock is granted until the loss is accepted.
   */
  public boolean stateLost() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return locks.stateLost();
  }

  /**
   * Accepts a loss of this namespace's shared state that {@link StateLostException} reported: locks
   * are granted again, to every client, from a new epoch. Values written under locks are what Redis
   * has now; check or restore them first. Returns the lost epoch, or empty when none was lost.
   */
  public java.util.Optional<String> acceptStateLoss() {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return locks.acceptLoss();
  }

  /** Wait and hold times per lock taken through this client. */
  public Map<String, LockStats> lockStats() {
    return locks.metrics.snapshot();
  }

  /**
   * The locks of this namespace held now, by any process, sorted by name. Scans Redis: meant for
   * status displays, not for hot paths.
   */
  public java.util.List<HeldLock> locksHeld() {
    return new StateInspector(redis, config.namespace()).locksHeld(config.clock().instant());
  }

  /**
   * The shared objects of this namespace: counts per kind and up to {@code limit} of them. Scans
   * Redis: meant for status displays, not for hot paths.
   */
  public SharedObjects objects(int limit) {
    if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    return new StateInspector(redis, config.namespace()).objects(limit);
  }

  /**
   * Deletes every key of this namespace and returns how many there were: for a namespace that a
   * tool of the project made for itself ({@code bin/spool-aot}, the benchmark), never for one that
   * programs work in. Scans Redis.
   */
  public long deleteNamespace() {
    return new StateInspector(redis, config.namespace()).deleteAll();
  }

  /** Threads of this client waiting for a lock right now. */
  public long lockWaiters() {
    return locks.metrics.waiting();
  }

  /** How many nested lock acquisitions were reported. */
  public long nestedLockWarnings() {
    return locks.metrics.nestedWarnings();
  }

  private String key(String kind, String name) {
    if (closed) throw new IllegalStateException("SharedState is closed");
    return config.namespace() + ":" + kind + ":" + Names.require(kind, name);
  }

  private static String processId() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "unknown-host";
      }
    }
    return host + "/" + ProcessHandle.current().pid();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    notifier.close();
    announcements.close();
    timer.shutdownNow();
    redis.close();
  }
}
