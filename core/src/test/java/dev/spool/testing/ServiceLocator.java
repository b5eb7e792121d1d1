package dev.spool.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;
import redis.clients.jedis.Jedis;

/**
 * Finds RabbitMQ and Redis for integration tests, in the order DESIGN.md gives:
 *
 * <ol>
 *   <li>{@code SPOOL_TEST_AMQP_URI} and {@code SPOOL_TEST_REDIS_URI} (environment or system
 *       properties of the same name);
 *   <li>Testcontainers, when a Docker engine answers ({@code SPOOL_TEST_DOCKER=never} skips the
 *       probe);
 *   <li>RabbitMQ and Redis on their default local ports, when both answer;
 *   <li>else an error saying how to provide them. Tests fail; they never skip.
 * </ol>
 */
final class ServiceLocator implements AutoCloseable {
  static final String AMQP_ENV = "SPOOL_TEST_AMQP_URI";
  static final String REDIS_ENV = "SPOOL_TEST_REDIS_URI";
  static final String DOCKER_ENV = "SPOOL_TEST_DOCKER";
  static final String MANAGEMENT_ENV = "SPOOL_TEST_MANAGEMENT_URI";
  static final URI LOCAL_MANAGEMENT = URI.create("http://127.0.0.1:15672");
  static final URI LOCAL_AMQP = URI.create("amqp://guest:guest@127.0.0.1:5672/%2F");
  static final URI LOCAL_REDIS = URI.create("redis://127.0.0.1:6379/0");

  private static final Logger log = LoggerFactory.getLogger(ServiceLocator.class);

  private final List<GenericContainer<?>> containers = new ArrayList<>();
  private final Map<String, String> env;

  ServiceLocator(Map<String, String> env) {
    this.env = env;
  }

  ServiceEndpoints locate() {
    String amqp = setting(AMQP_ENV);
    String redis = setting(REDIS_ENV);
    if (amqp != null || redis != null) {
      if (amqp == null || redis == null) {
        throw new IllegalStateException(
            "set both " + AMQP_ENV + " and " + REDIS_ENV + ", or neither (only one is set)");
      }
      URI a = URI.create(amqp);
      URI r = URI.create(redis);
      requireAnswers(a, r, "the environment (" + AMQP_ENV + ", " + REDIS_ENV + ")");
      String m = setting(MANAGEMENT_ENV);
      URI management = m != null ? URI.create(m) : URI.create("http://" + a.getHost() + ":15672");
      return new ServiceEndpoints(
          a,
          r,
          management,
          "environment",
          Faults.unavailable("the services are remote (" + AMQP_ENV + ")"));
    }
    if (!"never".equalsIgnoreCase(setting(DOCKER_ENV)) && dockerAnswers()) {
      return startContainers();
    }
    String problem = answers(LOCAL_AMQP, LOCAL_REDIS);
    if (problem == null) {
      return new ServiceEndpoints(
          LOCAL_AMQP,
          LOCAL_REDIS,
          LOCAL_MANAGEMENT,
          "local",
          CommandFaults.local(LOCAL_AMQP, LOCAL_REDIS));
    }
    throw new IllegalStateException(
        "integration tests need RabbitMQ and Redis, and none were found: no "
            + AMQP_ENV
            + "/"
            + REDIS_ENV
            + " set, no Docker engine for Testcontainers, and the local ports did not answer ("
            + problem
            + "). Provide them one of these ways: set "
            + AMQP_ENV
            + "=amqp://user:pass@host:5672/%2F and "
            + REDIS_ENV
            + "=redis://host:6379/0; or start Docker; or run RabbitMQ on 127.0.0.1:5672"
            + " (guest/guest) and Redis on 127.0.0.1:6379 (.ci/run shows how).");
  }

  private String setting(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean dockerAnswers() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      log.info("fixture: no Docker engine for Testcontainers ({})", e.toString());
      return false;
    }
  }

  private ServiceEndpoints startContainers() {
    RabbitMQContainer rabbit =
        new RabbitMQContainer(DockerImageName.parse("rabbitmq:3.13-management"));
    GenericContainer<?> redis =
        new GenericContainer<>(DockerImageName.parse("redis:7.4-alpine")).withExposedPorts(6379);
    containers.add(rabbit);
    containers.add(redis);
    rabbit.start();
    redis.start();
    URI amqp =
        URI.create(
            "amqp://%s:%s@%s:%d/%%2F"
                .formatted(
                    rabbit.getAdminUsername(),
                    rabbit.getAdminPassword(),
                    rabbit.getHost(),
                    rabbit.getAmqpPort()));
    URI r = URI.create("redis://%s:%d/0".formatted(redis.getHost(), redis.getMappedPort(6379)));
    var docker = DockerClientFactory.instance().client();
    Faults faults =
        new CommandFaults(
            cmd -> {
              try {
                var result = rabbit.execInContainer(cmd.toArray(String[]::new));
                if (result.getExitCode() != 0) {
                  throw new IllegalStateException(cmd + " failed: " + result.getStderr());
                }
                return result.getStdout();
              } catch (java.io.IOException e) {
                throw new IllegalStateException(cmd + " failed: " + e, e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(cmd + " interrupted", e);
              }
            },
            () -> docker.pauseContainerCmd(redis.getContainerId()).exec(),
            () -> docker.unpauseContainerCmd(redis.getContainerId()).exec(),
            amqp);
    return new ServiceEndpoints(amqp, r, URI.create(rabbit.getHttpUrl()), "testcontainers", faults);
  }

  private static void requireAnswers(URI amqp, URI redis, String where) {
    String problem = answers(amqp, redis);
    if (problem != null) {
      throw new IllegalStateException("services from " + where + " do not answer: " + problem);
    }
  }

  /** Null when both answer, else what failed. */
  static String answers(URI amqp, URI redis) {
    ConnectionFactory f = new ConnectionFactory();
    try {
      f.setUri(amqp);
      f.setConnectionTimeout(3000);
      f.setAutomaticRecoveryEnabled(false);
      try (Connection c = f.newConnection("spool-test-probe")) {
        c.getServerProperties();
      }
    } catch (Exception e) { // any failure means "does not answer"; reported, not ignored
      return "RabbitMQ at " + amqp.getHost() + ":" + amqp.getPort() + ": " + e;
    }
    try (Jedis jedis = new Jedis(redis)) {
      jedis.ping();
    } catch (RuntimeException e) {
      return "Redis at " + redis.getHost() + ":" + redis.getPort() + ": " + e;
    }
    return null;
  }

  @Override
  public void close() {
    containers.forEach(GenericContainer::stop);
  }
}
