package dev.spool.state.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Wakes waiters when a name is announced on a Redis channel: a lock's name when it is released, a
 * schedule's key when an entry falls due sooner than its earliest, {@link RedisState#CONTROL} when
 * a cancel, pause or ping is made. One subscriber connection per channel. Each name has a
 * generation counter; a waiter reads it before trying, and sleeps only while it is unchanged, so an
 * announcement between the try and the sleep is never missed. Waits are still bounded (not
 * everything is announced: a lock's expiry, a claim's lease running out, a change announced while
 * the subscription was down; each (re)subscription wakes every waiter).
 */
public final class ChannelNotifier implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChannelNotifier.class);

  /** The name whose interest every announcement on the channel wakes. */
  static final String ANY = "";

  private static final class Generation {
    long value; // guarded by the object
    int interested; // changed only inside the map's compute, one key at a time
  }

  private final java.util.function.Supplier<Jedis> connect;
  private final String channel;
  private final Map<String, Generation> generations = new ConcurrentHashMap<>();
  private final CountDownLatch subscribed = new CountDownLatch(1);
  private final Subscriber subscriber = new Subscriber();
  private volatile boolean closed;
  private Thread thread;
  private volatile boolean started; // set once the first start() has waited for the subscription

  /**
   * @param connect opens a connection of the notifier's own, to the server (or the current primary)
   */
  ChannelNotifier(java.util.function.Supplier<Jedis> connect, String channel) {
    this.connect = connect;
    this.channel = channel;
  }

  String channel() {
    return channel;
  }

  /**
   * Starts listening (once); waits briefly for the subscription so early announcements count.
   * Called on every acquire, so the started case is a volatile read, not a lock.
   */
  void start() {
    if (!started) startOnce();
  }

  private synchronized void startOnce() {
    if (thread != null) return;
    thread = Thread.ofPlatform().daemon().name("spool-notify " + channel).start(this::listen);
    try {
      if (!subscribed.await(2, TimeUnit.SECONDS)) {
        log.warn("{} not subscribed yet; waiters poll meanwhile", channel);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    started = true;
  }

  private void listen() {
    while (!closed) {
      try (Jedis jedis = connect.get()) {
        jedis.subscribe(subscriber, channel);
      } catch (JedisException e) {
        if (closed) return;
        log.warn("channel {} lost ({}); resubscribing in 1 s", channel, e.getMessage());
        try {
          Thread.sleep(1000); // back off before reconnecting; waiters poll meanwhile
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  /**
   * Registers a waiter's interest in {@code name}'s announcements ({@link #ANY}: every one) until
   * the returned interest is closed. The generation counter lives only while someone is interested,
   * so the map holds the locks being waited for now, not every lock ever waited for.
   */
  Interest interest(String name) {
    Generation g =
        generations.compute(
            name,
            (n, old) -> {
              Generation x = old == null ? new Generation() : old;
              x.interested++;
              return x;
            });
    return new Interest(name, g);
  }

  /** Lock names with a waiter now. */
  int watched() {
    return generations.size();
  }

  /** Called for each name announced on the channel. */
  void announced(String name) {
    if (!name.equals(ANY)) bump(ANY);
    bump(name);
  }

  private void bump(String name) {
    Generation g = generations.get(name);
    if (g == null) return; // nobody waits for it
    synchronized (g) {
      g.value++;
      g.notifyAll();
    }
  }

  /** One waiter's interest in one name's announcements. Closing twice is harmless. */
  public final class Interest implements AutoCloseable {
    private final String name;
    private final Generation g;
    private boolean closed;

    private Interest(String name, Generation g) {
      this.name = name;
      this.g = g;
    }

    /** The announcement count now: read before trying. */
    public long generation() {
      synchronized (g) {
        return g.value;
      }
    }

    /** Sleeps up to {@code millis} unless the name was announced after {@code seen} was read. */
    public void await(long seen, long millis) throws InterruptedException {
      synchronized (g) {
        if (g.value == seen) g.wait(Math.max(1, millis));
      }
    }

    /** Wakes every waiter of this name in this process, as an announcement does. */
    public void wake() {
      bump(name);
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      generations.computeIfPresent(name, (n, x) -> --x.interested == 0 ? null : x);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      if (subscriber.isSubscribed()) subscriber.unsubscribe();
    } catch (JedisException e) {
      log.debug("unsubscribe failed: {}", e.getMessage());
    }
    synchronized (this) {
      if (thread != null) thread.interrupt();
    }
  }

  private final class Subscriber extends JedisPubSub {
    private boolean before; // subscribed before: this is a resubscription

    @Override
    public void onSubscribe(String ch, int count) {
      subscribed.countDown();
      // What was announced while the subscription was down is lost: every waiter looks again.
      if (before) generations.keySet().forEach(ChannelNotifier.this::bump);
      before = true;
    }

    @Override
    public void onMessage(String ch, String name) {
      announced(name);
    }
  }
}
