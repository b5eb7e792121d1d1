package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.spool.Durations;
import dev.spool.core.metrics.SpoolMeters;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files users deploy with hold what the README and docs/deploy.md promise: docker-compose.yml
 * (images, ports, replicas, healthchecks, the drain grace, the observability profile), the
 * Dockerfile, the Prometheus scrape config, and a Grafana dashboard whose every Spool metric a
 * consumer serves. {@code docker-compose config} (run by .ci/run) checks the syntax; this checks
 * the content.
 */
final class DeploymentFilesTest {
  private static final Path ROOT = root();
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final ObjectMapper json = new ObjectMapper();

  /** The services, with YAML anchors resolved (SnakeYAML does; Jackson's tree does not). */
  private JsonNode compose() throws IOException {
    Object doc =
        new org.yaml.snakeyaml.Yaml(
                new org.yaml.snakeyaml.constructor.SafeConstructor(
                    new org.yaml.snakeyaml.LoaderOptions()))
            .load(read("docker-compose.yml"));
    return json.valueToTree(doc).path("services");
  }

  @Test
  void compose_brokerAndRedis_haveTheirImagesPortsPasswordsAndHealthchecks() throws IOException {
    JsonNode s = compose();
    JsonNode rabbit = s.path("rabbitmq");
    assertTrue(
        rabbit
            .path("image")
            .asText()
            .matches("\\$\\{SPOOL_RABBITMQ_IMAGE:-rabbitmq:3\\.\\d+-management\\}"),
        "the official image by default, a variable to replace it");
    assertEquals(
        Set.of(
            "${SPOOL_BIND:-127.0.0.1}:${SPOOL_AMQP_PORT:-5672}:5672",
            "${SPOOL_BIND:-127.0.0.1}:${SPOOL_DASHBOARD_PORT:-15672}:15672",
            "${SPOOL_BIND:-127.0.0.1}:${SPOOL_BROKER_METRICS_PORT:-15692}:15692"),
        texts(rabbit.path("ports")),
        "on 127.0.0.1 unless SPOOL_BIND says otherwise, each port a variable");
    assertTrue(rabbit.path("healthcheck").path("test").isArray());
    assertTrue(texts(rabbit.path("volumes")).stream().anyMatch(v -> v.contains("enabled_plugins")));
    String plugins = read("compose/rabbitmq/enabled_plugins");
    assertTrue(plugins.contains("rabbitmq_management") && plugins.contains("rabbitmq_prometheus"));

    JsonNode redis = s.path("redis");
    assertTrue(redis.path("image").asText().startsWith("${SPOOL_REDIS_IMAGE:-redis:7"));
    assertEquals(
        Set.of("${SPOOL_BIND:-127.0.0.1}:${SPOOL_REDIS_PORT:-6379}:6379"),
        texts(redis.path("ports")));
    assertTrue(redis.path("command").toString().contains("--requirepass"));
    assertTrue(redis.path("healthcheck").path("test").toString().contains("redis-cli ping"));
    // Spool logs in with the password, and as the least-privilege AMQP user
    JsonNode env = s.path("consumer").path("environment");
    assertTrue(env.path("SPOOL_REDIS_URI").asText().matches("redis://:[^@]+@redis:6379/0"));
    assertTrue(env.path("SPOOL_AMQP_URI").asText().startsWith("amqp://spool-app:"));
    // ... whose permissions follow the namespace the processes use, so that SPOOL_NAMESPACE=myapp
    // works on the services bin/spool-demo starts through compose (it got ACCESS_REFUSED).
    assertEquals("${SPOOL_NAMESPACE:-spool}", env.path("SPOOL_NAMESPACE").asText());
    for (String file : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
      String init = read(file);
      assertTrue(
          init.contains("\"configure\":\"^${SPOOL_NAMESPACE:-spool}\\\\..*\""),
          file + ": rabbitmq-init grants the namespace's queues");
      assertFalse(init.contains("\"^spool\\\\..*\""), file + ": no fixed spool.* permission");
    }
  }

  @Test
  void compose_consumers_threeScalableReplicas_startWhenHealthy_graceLongerThanDrain()
      throws IOException {
    JsonNode c = compose().path("consumer");
    assertEquals(3, c.path("deploy").path("replicas").asInt());
    assertTrue(c.path("ports").isMissingNode(), "a published port would block --scale");
    assertEquals(
        "service_healthy", c.path("depends_on").path("rabbitmq").path("condition").asText());
    assertEquals("service_healthy", c.path("depends_on").path("redis").path("condition").asText());
    assertEquals(
        "service_completed_successfully",
        c.path("depends_on").path("rabbitmq-init").path("condition").asText());
    List<String> command = list(c.path("command"));
    Duration drain =
        Durations.parsePositive(
            "--drain-timeout", command.get(command.indexOf("--drain-timeout") + 1));
    Duration grace =
        Durations.parsePositive("stop_grace_period", c.path("stop_grace_period").asText());
    assertTrue(grace.compareTo(drain.plusSeconds(10)) > 0, grace + " vs drain " + drain);
    assertTrue(texts(c.path("volumes")).contains("./compose/tasks:/opt/spool/tasks:ro"));
    assertTrue(Files.isDirectory(ROOT.resolve("compose/tasks")));
  }

  @Test
  void compose_producer_runsTheDemoOnce_withoutTheConsumersHealthcheck() throws IOException {
    JsonNode p = compose().path("producer");
    assertEquals(List.of("spool-producer", "demo"), list(p.path("command")).subList(0, 2));
    assertEquals(List.of("job"), list(p.path("profiles")), "a plain up never runs the demo");
    assertEquals("no", p.path("restart").asText());
    assertTrue(p.path("healthcheck").path("disable").asBoolean());
  }

  @Test
  void compose_scheduler_twoReplicasOfTheImagesCommand_needingOnlyRedis() throws IOException {
    JsonNode sch = compose().path("scheduler");
    assertEquals(List.of("spool-scheduler"), list(sch.path("command")));
    assertEquals("spool:local", sch.path("image").asText());
    assertTrue(sch.path("build").isMissingNode(), "built once, by the consumer service");
    assertEquals("never", sch.path("pull_policy").asText());
    assertEquals(2, sch.path("deploy").path("replicas").asInt(), "one fires, one waits");
    assertEquals(
        "service_healthy", sch.path("depends_on").path("redis").path("condition").asText());
    assertTrue(sch.path("healthcheck").isMissingNode(), "the image's check: /health on 9400");
    assertTrue(read("Dockerfile").contains("compose/image/spool-scheduler"));
    assertTrue(Files.isExecutable(ROOT.resolve("bin/spool-scheduler")));
  }

  @Test
  void dockerfile_nonRootJre25_withAHealthcheckOnTheMetricsPort() throws IOException {
    String d = read("Dockerfile");
    assertTrue(
        d.contains("ARG SPOOL_RUNTIME_IMAGE=eclipse-temurin:25-jre"),
        "a Java 25 JRE: ahead-of-time caches need 25");
    assertTrue(d.contains("FROM ${SPOOL_RUNTIME_IMAGE}"), "a base that can be replaced");
    assertFalse(d.contains("# syntax="), "no remote Dockerfile front end: builds offline");
    assertTrue(d.contains(" AS build"), "multi-stage");
    assertTrue(Pattern.compile("(?m)^USER spool$").matcher(d).find(), "non-root");
    assertTrue(Pattern.compile("(?m)^HEALTHCHECK .*spool-healthcheck").matcher(d).find());
    assertTrue(d.contains("SPOOL_METRICS_PORT=9400") && d.contains("EXPOSE 9400"));
    assertTrue(Files.isExecutable(ROOT.resolve("bin/spool-healthcheck")));
    // The caches are trained in a stage of their own and only their files reach the image.
    assertTrue(d.contains("SPOOL_AOT=\"$SPOOL_AOT\" spool-train-aot"), "trained while built");
    assertTrue(d.contains("COPY --from=train /opt/spool/aot/ /opt/spool/lib/"));
    for (String command :
        List.of(
            "spool-java",
            "spool-consumer",
            "spool-producer",
            "spool-scheduler",
            "spool-dashboard",
            "spool-train-aot")) {
      assertTrue(Files.isExecutable(ROOT.resolve("compose/image/" + command)), command);
      assertTrue(d.contains("compose/image/" + command), command + " is in the image");
    }
  }

  @Test
  void observabilityProfile_prometheusScrapesConsumersAndBroker_grafanaIsProvisioned()
      throws IOException {
    JsonNode s = compose();
    for (String name : List.of("prometheus", "grafana")) {
      assertEquals(List.of("observability"), list(s.path(name).path("profiles")), name);
    }
    assertTrue(
        texts(s.path("prometheus").path("ports"))
            .contains("${SPOOL_BIND:-127.0.0.1}:${SPOOL_PROMETHEUS_PORT:-9090}:9090"));
    assertTrue(
        texts(s.path("grafana").path("ports"))
            .contains("${SPOOL_BIND:-127.0.0.1}:${SPOOL_GRAFANA_PORT:-3000}:3000"));
    JsonNode prom = yaml.readTree(ROOT.resolve("compose/prometheus/prometheus.yml").toFile());
    String scrape = prom.path("scrape_configs").toString();
    assertTrue(scrape.contains("\"names\":[\"consumer\"]") && scrape.contains("\"port\":9400"));
    assertTrue(scrape.contains("rabbitmq:15692"));
    for (String volume : texts(s.path("grafana").path("volumes"))) {
      String host = volume.substring(2, volume.indexOf(':')); // "./x:/y:ro"
      assertTrue(Files.exists(ROOT.resolve(host)), "grafana mounts " + host);
    }
    assertTrue(
        Files.exists(ROOT.resolve("compose/grafana/provisioning/datasources/prometheus.yml")));
    assertTrue(Files.exists(ROOT.resolve("compose/grafana/provisioning/dashboards/spool.yml")));
  }

  @Test
  void dashboard_everySpoolMetricItQueries_isServedByAConsumer() throws IOException {
    JsonNode dash = json.readTree(ROOT.resolve("compose/grafana/dashboards/spool.json").toFile());
    Set<String> titles = new TreeSet<>();
    Set<String> queried = new TreeSet<>();
    Matcher m = Pattern.compile("spool_[a-z_]+").matcher("");
    for (JsonNode panel : dash.path("panels")) {
      titles.add(panel.path("title").asText());
      for (JsonNode t : panel.path("targets")) {
        m.reset(t.path("expr").asText());
        while (m.find()) queried.add(m.group());
      }
    }
    for (String needed :
        List.of("Throughput", "Failures", "duration", "Queue depth", "Lock wait")) {
      assertTrue(titles.stream().anyMatch(t -> t.contains(needed)), needed + " in " + titles);
    }
    String served = scrapeOfABusyConsumer();
    for (String metric : queried) {
      assertTrue(
          Pattern.compile("(?m)^" + metric + "[{ ]").matcher(served).find(),
          metric + " is queried by the dashboard but no consumer serves it");
    }
    assertFalse(queried.isEmpty());
  }

  @Test
  void docs_nameEveryPublishedPortAndTheComposeCommands() throws IOException {
    String readme = read("README.md") + read("docs/deploy.md");
    for (JsonNode service : iterable(compose())) {
      for (String port : texts(service.path("ports"))) {
        // "${SPOOL_BIND:-127.0.0.1}:${SPOOL_X_PORT:-5672}:5672": the default host port
        java.util.regex.Matcher m =
            Pattern.compile("\\$\\{(SPOOL_[A-Z_]+_PORT):-(\\d+)\\}").matcher(port);
        assertTrue(m.find(), port);
        assertTrue(
            readme.contains("`" + m.group(1) + "`"),
            "README or docs/deploy.md names " + m.group(1));
        String host = m.group(2);
        assertTrue(
            readme.contains("localhost:" + host) || readme.contains(":" + host + " "),
            "README or docs/deploy.md mentions port " + host);
      }
    }
    for (String command :
        List.of(
            "docker compose up --build --exit-code-from producer producer",
            "docker compose run --rm --no-deps producer spool-producer status",
            "--scale consumer=",
            "--profile observability")) {
      assertTrue(readme.contains(command), "README or docs/deploy.md shows " + command);
    }
  }

  @Test
  void composeTest_runsEveryCommandAsTheDeployGuidePrintsIt() throws IOException {
    String readme = read("docs/deploy.md");
    String script = read("bin/spool-compose-test");
    java.util.regex.Matcher m =
        Pattern.compile("(?m)^\\s*step(?:_bg)? \"([^\"]+)\"").matcher(script);
    List<String> steps = new ArrayList<>();
    while (m.find()) steps.add(m.group(1));
    assertTrue(steps.size() >= 12, "the script's steps: " + steps);
    for (String step : steps) {
      // The test moves the dashboard's port off this machine's own RabbitMQ; and with no Grafana
      // image it starts the observability profile's Prometheus alone (docs/deploy.md says so).
      String printed =
          step.replace("$SPOOL_DASHBOARD_UI_PORT", "8080")
              .replace("$SPOOL_DASHBOARD_PORT", "15672")
              .replaceFirst(" -d prometheus$", " -d");
      assertTrue(readme.contains(printed), "docs/deploy.md prints the test's step: " + printed);
    }
    assertTrue(steps.contains("docker compose up --build --exit-code-from producer producer"));
  }

  /** Every meter a consumer can register, each recorded once, as Prometheus would scrape it. */
  private static String scrapeOfABusyConsumer() {
    PrometheusMeterRegistry r = SpoolMeters.prometheus();
    Counters c = new Counters(r, "spool.work.tasks", name -> true);
    c.received("t");
    c.succeeded("t");
    c.failed("t");
    c.retried("t");
    c.deadLettered("t", "retries-exhausted");
    c.expired("t");
    c.timedOut("t");
    c.requeued("t");
    c.idempotentSkip("t");
    c.handedBack();
    c.stalePill();
    c.started("id", "t", 1, new com.rabbitmq.client.AMQP.BasicProperties(), new byte[0]);
    c.ended("id", "t", "success", 1_000_000);
    StateMeters s = new StateMeters(r);
    s.operation("HGET", 1000, false);
    s.lockAcquired("l", 1000);
    s.lockTimedOut("l", 1000);
    s.lockReleased("l", 1000);
    s.lockLost("l");
    return r.scrape();
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    node.forEach(out::add);
    return out;
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> out = new TreeSet<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<String> list(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String read(String file) throws IOException {
    return Files.readString(ROOT.resolve(file));
  }

  /** The checkout: the nearest folder above with a docker-compose.yml. */
  static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("docker-compose.yml"))) return p;
    }
    throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
  }
}
