package dev.spool.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.Topology;
import dev.spool.testing.services.Faults;
import dev.spool.testing.services.ServiceEndpoints;
import dev.spool.testing.services.StateTestEnv;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import redis.clients.jedis.Jedis;

/**
 * One test's view of the services: a fresh namespace, a config pointing at the services, and
 * cleanup of everything created under the namespace. Given to tests by {@link
 * SpoolServicesExtension} as a parameter.
 */
public final class SpoolTestEnv {
  private final ServiceEndpoints endpoints;
  private final StateTestEnv state;
  private final SpoolConfig config;
  private final Topology topology;
  private final Set<String> queues = new LinkedHashSet<>();
  private Connection connection;
  private final java.util.List<AutoCloseable> spools = new java.util.ArrayList<>();

  SpoolTestEnv(ServiceEndpoints endpoints, String namespace) {
    this.endpoints = endpoints;
    this.state = new StateTestEnv(endpoints, namespace);
    this.config =
        SpoolConfig.builder()
            .amqpUri(endpoints.amqpUri().toString())
            .redisUri(endpoints.redisUri().toString())
            .namespace(namespace)
            .build();
    this.topology = new Topology(config);
    queues.addAll(topology.queuesOf(Topology.DEFAULT_QUEUE));
  }

  /** The configuration every Spool object in this test should use. */
  public SpoolConfig config() {
    return config;
  }

  public String namespace() {
    return config.namespace();
  }

  public Topology topology() {
    return topology;
  }

  /**
   * RabbitMQ's management API (for {@code spool-producer status}), without credentials: use those
   * of {@link #config()}'s AMQP URI. The plugin must be enabled: .ci/run enables it locally.
   */
  public java.net.URI managementUri() {
    return endpoints.managementUri();
  }

  /** Fault injection on this test's services (chaos suite). */
  public Faults faults() {
    return endpoints.faults();
  }

  /** How the services were found: {@code environment}, {@code testcontainers} or {@code local}. */
  public String source() {
    return endpoints.source();
  }

  /**
   * The full name of work queue {@code name}, deleted after the test with its dead and delay
   * queues.
   */
  public String workQueue(String name) {
    queues.addAll(topology.queuesOf(name));
    return topology.workQueue(name);
  }

  /** Deletes queue {@code fullName} after the test. */
  public String track(String fullName) {
    queues.add(fullName);
    return fullName;
  }

  /** An AMQP connection for the test's own use, closed after the test. */
  public synchronized Connection connection() {
    if (connection == null || !connection.isOpen()) {
      connection = new AmqpConnector(config).open("spool-test " + namespace());
    }
    return connection;
  }

  /**
   * {@code handle} (a {@code Spool} a test connected), closed after the test unless the test closes
   * it first.
   */
  public synchronized <C extends AutoCloseable> C closeAfter(C handle) {
    spools.add(handle);
    return handle;
  }

  /**
   * Shared state in this test's namespace, as a process of the test would open it; the caller
   * closes it.
   */
  public dev.spool.state.internal.RedisState sharedState() {
    return dev.spool.state.internal.RedisState.connect(config().stateConfig());
  }

  /** A new Redis client for this test's services; the caller closes it. */
  public Jedis jedis() {
    return state.jedis();
  }

  /** Messages ready in queue {@code fullName}. */
  public long ready(String fullName) throws IOException, TimeoutException {
    try (Channel ch = connection().createChannel()) {
      return ch.queueDeclarePassive(fullName).getMessageCount();
    }
  }

  /** True when queue {@code fullName} exists. */
  public boolean queueExists(String fullName) throws IOException, TimeoutException {
    try (Channel ch = connection().createChannel()) {
      ch.queueDeclarePassive(fullName);
      return true;
    } catch (IOException e) {
      return false; // 404 NOT_FOUND closes the channel
    }
  }

  /** Deletes the namespace's queues and Redis keys; returns how many keys it deleted. */
  long cleanup() throws IOException, TimeoutException {
    synchronized (this) {
      for (AutoCloseable c : spools) { // closing twice is harmless
        try {
          c.close();
        } catch (Exception e) {
          // the test is over; what it left is deleted below
        }
      }
      spools.clear();
    }
    try {
      Connection c = connection();
      Channel ch = c.createChannel();
      for (String q : queues) {
        if (!ch.isOpen()) ch = c.createChannel();
        ch.queueDelete(q); // deleting a queue that does not exist is a no-op
      }
      if (ch.isOpen()) ch.close();
    } finally {
      if (connection != null && connection.isOpen()) connection.close();
    }
    return state.deleteKeys();
  }
}
