package dev.spool.testing.services;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Watches the machine's own RabbitMQ (127.0.0.1:5672) and Redis (127.0.0.1:6379) for a whole test
 * run, to prove that the suite never harms services it did not start: a connection of its own to
 * the broker, publishing a message to nowhere every {@link #EVERY} (so that an alarm blocks it and
 * says so) and noting any close it did not ask for (a restart, close_all_connections); a PING to
 * Redis every {@link #EVERY}, noting any that takes longer than {@link #FROZEN} (a SIGSTOP, a
 * CLIENT PAUSE, a DEBUG SLEEP), and its run id at the start and the end (a restart). Started by
 * {@link WatchListener} when a run has integration tests; {@code MachineServicesUntouchedIT} reads
 * it.
 */
public final class MachineServicesWatch implements AutoCloseable {
  /** How often each service is asked. */
  static final Duration EVERY = Duration.ofMillis(250);

  /** A PING slower than this counts as Redis frozen. */
  static final Duration FROZEN = Duration.ofSeconds(2);

  private static volatile MachineServicesWatch current;

  private final URI amqp;
  private final URI redis;
  private final String notWatched; // null when watching
  private final List<String> harms = new ArrayList<>(); // guarded by itself
  private final AtomicLong pings = new AtomicLong();
  private final AtomicLong publishes = new AtomicLong();
  private final AtomicLong longestPingMs = new AtomicLong();
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Instant since = Instant.now();
  private final Connection connection;
  private final String runId;
  private final Thread thread;
  private volatile boolean closing;

  private MachineServicesWatch(
      URI amqp, URI redis, String notWatched, Connection connection, String runId) {
    this.amqp = amqp;
    this.redis = redis;
    this.notWatched = notWatched;
    this.connection = connection;
    this.runId = runId;
    this.thread = Thread.ofPlatform().daemon().name("spool-test-watch").unstarted(this::run);
  }

  /** The watch of this test JVM, or null when none was started. */
  public static MachineServicesWatch current() {
    return current;
  }

  /** Starts watching, or records why it cannot (the machine's services do not answer). */
  static synchronized MachineServicesWatch start() {
    if (current == null) current = watch(ServiceLocator.LOCAL_AMQP, ServiceLocator.LOCAL_REDIS);
    return current;
  }

  /**
   * Watches the broker at {@code amqp} and the Redis at {@code redis} until closed (the test of the
   * watch itself points it at services it faults).
   */
  public static MachineServicesWatch watch(URI amqp, URI redis) {
    String problem = ServiceLocator.answers(amqp, redis);
    if (problem != null) {
      return new MachineServicesWatch(
          amqp, redis, "the machine's services do not answer: " + problem, null, null);
    }
    MachineServicesWatch w;
    try {
      ConnectionFactory f = new ConnectionFactory();
      f.setUri(amqp);
      f.setAutomaticRecoveryEnabled(false);
      f.setConnectionTimeout(3000);
      Connection c = f.newConnection("spool-test-watch");
      MachineServicesWatch watching = new MachineServicesWatch(amqp, redis, null, c, runId(redis));
      c.addBlockedListener(watching.blockedListener());
      c.addShutdownListener(
          why -> {
            if (!watching.closing) {
              watching.harm("the broker closed the watch's connection: " + why);
            }
          });
      w = watching;
    } catch (Exception e) { // the answer above says it runs: any failure here is a finding
      return new MachineServicesWatch(
          amqp, redis, "cannot watch the broker at " + amqp.getPort() + ": " + e, null, null);
    }
    w.thread.start();
    return w;
  }

  private BlockedListener blockedListener() {
    return new BlockedListener() {
      @Override
      public void handleBlocked(String reason) {
        harm("the machine's broker blocked publishing (" + reason + "): an alarm was raised");
      }

      @Override
      public void handleUnblocked() {}
    };
  }

  private void run() {
    Channel channel = null;
    AMQP.BasicProperties transientProps = new AMQP.BasicProperties.Builder().build();
    byte[] body = "watch".getBytes(StandardCharsets.UTF_8);
    try (Jedis jedis = jedis(redis)) {
      while (!stop.await(EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
        ping(jedis);
        try {
          if (channel == null || !channel.isOpen()) {
            if (!connection.isOpen()) continue; // its close is noted by the shutdown listener
            channel = connection.createChannel();
          }
          // To no queue: dropped by the broker, but blocked (and so noticed) under an alarm.
          channel.basicPublish("", "spool-test-watch-nowhere", false, transientProps, body);
          publishes.incrementAndGet();
        } catch (IOException | RuntimeException e) {
          if (!closing) harm("publishing to the machine's broker failed: " + e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void ping(Jedis jedis) {
    long start = System.nanoTime();
    try {
      jedis.ping();
    } catch (RuntimeException e) {
      harm("the machine's Redis did not answer a PING within " + FROZEN.toMillis() + " ms: " + e);
      return;
    } finally {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      longestPingMs.accumulateAndGet(ms, Math::max);
    }
    pings.incrementAndGet();
  }

  private static Jedis jedis(URI redis) {
    return new Jedis(
        new HostAndPort(redis.getHost(), redis.getPort()),
        DefaultJedisClientConfig.builder()
            .socketTimeoutMillis((int) FROZEN.toMillis())
            .connectionTimeoutMillis((int) FROZEN.toMillis())
            .autoNegotiateProtocol(false) // RESP2, without Jedis's warning on every ping
            .build());
  }

  private static String runId(URI redis) {
    try (Jedis j = jedis(redis)) {
      return j.info("server")
          .lines()
          .filter(l -> l.startsWith("run_id:"))
          .map(l -> l.substring("run_id:".length()).trim())
          .findFirst()
          .orElse("unknown");
    }
  }

  /** Where the watched broker listens (for the watch's own test). */
  public URI amqp() {
    return amqp;
  }

  private void harm(String what) {
    synchronized (harms) {
      if (harms.size() < 100) harms.add(Instant.now() + " " + what);
    }
  }

  /** Null while watching; else why the machine's services are not watched. */
  public String notWatched() {
    return notWatched;
  }

  /** What the watch saw done to the machine's services; empty when nothing. */
  public List<String> harms() {
    synchronized (harms) {
      List<String> all = new ArrayList<>(harms);
      if (runId != null && !closing) {
        try {
          String now = runId(redis);
          if (!now.equals(runId)) all.add("the machine's Redis restarted (run id " + now + ")");
        } catch (RuntimeException e) {
          all.add("the machine's Redis does not answer now: " + e);
        }
      }
      return all;
    }
  }

  /** PINGs answered and messages published so far: that the watch ran. */
  public long pings() {
    return pings.get();
  }

  public long publishes() {
    return publishes.get();
  }

  /** One line for the report file. */
  public String summary() {
    if (notWatched != null) return "not watched: " + notWatched;
    return "watched since "
        + since
        + ": "
        + pings()
        + " PINGs (longest "
        + longestPingMs.get()
        + " ms), "
        + publishes()
        + " publishes; harms: "
        + (harms().isEmpty() ? "none" : String.join("; ", harms()));
  }

  @Override
  public void close() {
    String last = summary();
    closing = true;
    stop.countDown();
    try {
      thread.join(5000);
      if (connection != null && connection.isOpen()) connection.close(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (this != current) return; // a watch of the tests' own services: no report file
    try {
      Files.createDirectories(Path.of("target"));
      Files.writeString(Path.of("target", "machine-services-watch.txt"), last + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
