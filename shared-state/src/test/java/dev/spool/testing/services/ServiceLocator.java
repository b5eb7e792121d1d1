package dev.spool.testing.services;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.net.URI;
import java.nio.file.Path;
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
 *   <li>Testcontainers, when a Docker engine answers and its images can be had: present, or pulled
 *       within seconds ({@link DockerProbe}). The images are {@code SPOOL_TEST_RABBITMQ_IMAGE} and
 *       {@code SPOOL_TEST_REDIS_IMAGE} (official ones by default; bin/spool-standins builds
 *       stand-ins), plus Testcontainers' Ryuk unless {@code TESTCONTAINERS_RYUK_DISABLED=true}.
 *       {@code SPOOL_TEST_DOCKER=never} skips this; {@code =require} fails instead of falling back;
 *   <li>RabbitMQ and Redis on their default local ports, when both answer;
 *   <li>else an error saying how to provide them. Tests fail; they never skip.
 * </ol>
 */
final class ServiceLocator implements AutoCloseable {
  static final String AMQP_ENV = "SPOOL_TEST_AMQP_URI";
  static final String REDIS_ENV = "SPOOL_TEST_REDIS_URI";
  static final String DOCKER_ENV = "SPOOL_TEST_DOCKER";
  static final String MANAGEMENT_ENV = "SPOOL_TEST_MANAGEMENT_URI";
  static final String RABBITMQ_IMAGE_ENV = "SPOOL_TEST_RABBITMQ_IMAGE";
  static final String REDIS_IMAGE_ENV = "SPOOL_TEST_REDIS_IMAGE";
  static final String DEFAULT_RABBITMQ_IMAGE = "rabbitmq:3.13-management";
  static final String DEFAULT_REDIS_IMAGE = "redis:7.4-alpine";
  static final URI LOCAL_MANAGEMENT = URI.create("http://127.0.0.1:15672");
  static final URI LOCAL_AMQP = URI.create("amqp://guest:guest@127.0.0.1:5672/%2F");
  static final URI LOCAL_REDIS = URI.create("redis://127.0.0.1:6379/0");

  /** {@link ServiceEndpoints#source()} values. */
  static final String ENVIRONMENT = "environment";

  static final String TESTCONTAINERS = "testcontainers";
  static final String LOCAL = "local";
  static final String OWN = "own processes";

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
          ENVIRONMENT,
          Faults.unavailable("the services were given by " + AMQP_ENV + " and may be shared"));
    }
    String docker = setting(DOCKER_ENV);
    String dockerProblem = null;
    if (!"never".equalsIgnoreCase(docker)) {
      String rabbitImage = orDefault(setting(RABBITMQ_IMAGE_ENV), DEFAULT_RABBITMQ_IMAGE);
      String redisImage = orDefault(setting(REDIS_IMAGE_ENV), DEFAULT_REDIS_IMAGE);
      dockerProblem = dockerProblem(rabbitImage, redisImage);
      if (dockerProblem == null) return startContainers(rabbitImage, redisImage);
      if ("require".equalsIgnoreCase(docker)) {
        throw new IllegalStateException(
            DOCKER_ENV + "=require, but Testcontainers cannot be used: " + dockerProblem);
      }
      log.info("fixture: not using Testcontainers: {}; trying the local services", dockerProblem);
    }
    String problem = answers(LOCAL_AMQP, LOCAL_REDIS);
    if (problem == null) {
      return new ServiceEndpoints(
          LOCAL_AMQP, LOCAL_REDIS, LOCAL_MANAGEMENT, LOCAL, CommandFaults.local(LOCAL_AMQP));
    }
    throw new IllegalStateException(
        "integration tests need RabbitMQ and Redis, and none were found: no "
            + AMQP_ENV
            + "/"
            + REDIS_ENV
            + " set; Testcontainers: "
            + (dockerProblem == null ? "skipped (" + DOCKER_ENV + "=never)" : dockerProblem)
            + "; the local ports did not answer ("
            + problem
            + "). Provide them one of these ways: run RabbitMQ on 127.0.0.1:5672 (guest/guest)"
            + " and Redis on 127.0.0.1:6379 (Debian: sudo apt-get install rabbitmq-server"
            + " redis-server); or a Docker engine (Debian: sudo bin/spool-docker-setup; without a"
            + " registry also eval \"$(bin/spool-standins)\", see docs/contributing.md, 'Tests'); or set "
            + AMQP_ENV
            + "=amqp://user:pass@host:5672/%2F and "
            + REDIS_ENV
            + "=redis://host:6379/0.");
  }

  private String setting(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) v = env.get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static String orDefault(String value, String otherwise) {
    return value == null ? otherwise : value;
  }

  /** Null when Testcontainers can run both images here, else why not: found in seconds. */
  private String dockerProblem(String rabbitImage, String redisImage) {
    DockerProbe probe = DockerProbe.fromEnvironment(env);
    String problem = probe.engineProblem();
    if (problem != null) return problem;
    java.util.List<String> images = new ArrayList<>(List.of(rabbitImage, redisImage));
    var tc = org.testcontainers.utility.TestcontainersConfiguration.getInstance();
    if (!"true".equalsIgnoreCase(env.get("TESTCONTAINERS_RYUK_DISABLED"))) {
      images.add(tc.getRyukImage());
    }
    // Testcontainers runs its tiny image for its start-up checks, and, inside a container (a
    // /.dockerenv), to find the engine's address unless TESTCONTAINERS_HOST_OVERRIDE names it.
    boolean hostKnown = env.get("TESTCONTAINERS_HOST_OVERRIDE") != null;
    if (!tc.isDisableChecks()
        || (!hostKnown && java.nio.file.Files.exists(Path.of("/.dockerenv")))) {
      images.add(tc.getTinyImage());
    }
    for (String image : images) {
      problem = probe.imageProblem(image);
      if (problem != null) {
        return problem
            + " (set "
            + RABBITMQ_IMAGE_ENV
            + "/"
            + REDIS_IMAGE_ENV
            + " to images that are here, e.g. from bin/spool-standins, and"
            + " TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_CHECKS_DISABLE=true and"
            + " TESTCONTAINERS_HOST_OVERRIDE=localhost where Testcontainers' own images cannot be"
            + " had)";
      }
    }
    return null;
  }

  private ServiceEndpoints startContainers(String rabbitImage, String redisImage) {
    log.info("fixture: Testcontainers with {} and {}", rabbitImage, redisImage);
    RabbitMQContainer rabbit =
        new RabbitMQContainer(
            DockerImageName.parse(rabbitImage).asCompatibleSubstituteFor("rabbitmq"));
    GenericContainer<?> redis =
        new GenericContainer<>(DockerImageName.parse(redisImage)).withExposedPorts(6379);
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
    return new ServiceEndpoints(amqp, r, URI.create(rabbit.getHttpUrl()), TESTCONTAINERS, faults);
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
