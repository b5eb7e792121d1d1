package dev.spool.state.internal;

import dev.spool.NestedLockException;
import dev.spool.StateConnectionException;
import dev.spool.StateLostException;
import dev.spool.state.SharedStateConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes, tracks and releases locks for one {@link SharedState}: the grant loop (try, then sleep
 * until a release is announced, the holder's lease ends, or the poll interval passes), nesting
 * detection, hold-time warnings and the watchdog.
 */
final class LockEngine {
  private static final Logger log = LoggerFactory.getLogger(LockEngine.class);

  final Redis redis;
  final SharedStateConfig config;
  final LockMetrics metrics;
  final ScheduledExecutorService timer;
  private final ChannelNotifier notifier;
  private final String process;
  private final Map<Thread, Set<DefaultLease>> held = new ConcurrentHashMap<>();

  /** The namespace's state epoch as this client last saw it; "" before it first asked. */
  private volatile String epoch = "";

  private volatile boolean lostReported;

  LockEngine(
      Redis redis,
      SharedStateConfig config,
      ChannelNotifier notifier,
      ScheduledExecutorService timer,
      String process) {
    this.redis = redis;
    this.config = config;
    this.notifier = notifier;
    this.timer = timer;
    this.process = process;
    this.metrics = new LockMetrics(config.listener());
  }

  String lockKey(String name) {
    return config.namespace() + ":lock:" + name;
  }

  String epochKey() {
    return config.namespace() + ":epoch";
  }

  /** Accepts a loss of state; returns the lost epoch, or empty when none was lost. */
  java.util.Optional<String> acceptLoss() {
    String was =
        (String)
            redis.call(
                "epoch.accept",
                "accepting the loss of namespace '" + config.namespace() + "' state",
                j ->
                    Scripts.ACCEPT_LOSS.run(
                        j, List.of(epochKey(), epochKey() + ":accepted"), List.of(Ids.random())));
    return was.startsWith("lost:")
        ? java.util.Optional.of(was.substring("lost:".length()))
        : java.util.Optional.empty();
  }

  /** True when the namespace's state is marked lost and no lock is granted. */
  boolean stateLost() {
    String e = redis.call("GET " + epochKey(), j -> j.get(epochKey()));
    return e != null && e.startsWith("lost:");
  }

  String channel() {
    return config.namespace() + ":lock-released";
  }

  /** Null when {@code deadlineNanos} passed first; {@code lastHolder[0]} gets the holder seen. */
  DefaultLease acquire(
      String name, Duration lease, boolean watchdog, long deadlineNanos, String[] lastHolder)
      throws InterruptedException {
    notifier.start();
    long start = System.nanoTime();
    String key = lockKey(name);
    // holder#nonce@acquired-at: the nonce makes it ours alone; status reads holder and age.
    String value =
        process
            + " "
            + Thread.currentThread().getName()
            + "#"
            + Ids.random()
            + "@"
            + config.clock().millis();
    List<String> keys = List.of(key, key + ":fence", epochKey(), epochKey() + ":accepted");
    String leaseMs = Long.toString(lease.toMillis());
    String candidate = Ids.random();
    // Interested in the lock's releases while trying: a release wakes the wait below.
    try (ChannelNotifier.Interest releases = notifier.interest(name)) {
      while (true) {
        long seen = releases.generation();
        List<String> args = List.of(value, leaseMs, epoch, candidate);
        Redis.Acked acked =
            redis.acknowledged(
                "lock.acquire", "acquiring lock '" + name + "'", Scripts.ACQUIRE, keys, args);
        List<?> r = (List<?>) acked.result();
        long status = (Long) r.getFirst();
        if (status == -1) throw lost(name, (String) r.get(1));
        epoch = (String) r.getLast();
        lostReported = false;
        if (status == 1) {
          String missing = redis.missing(acked, "the grant of lock '" + name + "'");
          if (missing != null) {
            // Not granted after all: a failover now would let another process take it too.
            redis.call(
                "lock.release",
                "releasing lock '" + name + "'",
                j -> Scripts.RELEASE.run(j, List.of(key), List.of(value, channel(), name)));
            throw new StateConnectionException(missing, null);
          }
          metrics.acquired(name, System.nanoTime() - start);
          return granted(name, key, value, (Long) r.get(1), lease, watchdog);
        }
        long pttl = (Long) r.get(1);
        lastHolder[0] = holderOf((String) r.get(2));
        long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (leftMs <= 0) {
          metrics.timedOut(name, System.nanoTime() - start);
          return null;
        }
        long sleep = Math.min(leftMs, config.lockPollInterval().toMillis());
        if (pttl > 0) sleep = Math.min(sleep, pttl + 1);
        metrics.waitStarted();
        try {
          releases.await(seen, sleep);
        } finally {
          metrics.waitEnded();
        }
      }
    }
  }

  private StateLostException lost(String name, String now) {
    String saw = now.substring("lost:".length());
    String message =
        "lock '"
            + name
            + "' refused: Redis at "
            + redis.where()
            + " lost the shared state of namespace '"
            + config.namespace()
            + "' (its epoch "
            + saw
            + " is gone: a restart without persistence, or a failover to a replica that had not got it);"
            + " values written under locks may have gone back, so no lock is granted until an"
            + " operator accepts the loss with 'spool-producer state accept-loss'";
    if (!lostReported) {
      lostReported = true;
      log.error(message);
    }
    return new StateLostException(message);
  }

  private DefaultLease granted(
      String name, String key, String value, long fence, Duration lease, boolean watchdog) {
    DefaultLease l =
        new DefaultLease(
            this, name, key, value, fence, config.clock().instant(), lease, Thread.currentThread());
    held.computeIfAbsent(l.owner(), t -> ConcurrentHashMap.newKeySet()).add(l);
    l.scheduleHoldWarning(config.holdWarning());
    if (watchdog) l.startWatchdog();
    return l;
  }

  /** Called before a lock is taken outside a multi-lock, or before a multi-lock. */
  void checkNesting(String taking) {
    Set<DefaultLease> mine = held.get(Thread.currentThread());
    if (mine == null || mine.isEmpty()) return;
    String holding =
        mine.stream().map(DefaultLease::name).sorted().collect(Collectors.joining("', '"));
    String message =
        "thread '"
            + Thread.currentThread().getName()
            + "' takes lock '"
            + taking
            + "' while holding '"
            + holding
            + "': nested locks taken in different orders deadlock; take them together with"
            + " state.locks(...)";
    metrics.nested();
    if (config.strictNesting()) throw new NestedLockException(message);
    log.warn(message);
  }

  void forget(DefaultLease lease) {
    Set<DefaultLease> set = held.get(lease.owner());
    if (set != null) {
      set.remove(lease);
      if (set.isEmpty()) held.remove(lease.owner(), set);
    }
  }

  /** The readable part of a lock's value: {@code host/pid thread}. */
  static String holderOf(String value) {
    if (value == null || value.isEmpty()) return null;
    int hash = value.lastIndexOf('#');
    return hash < 0 ? value : value.substring(0, hash);
  }
}
