package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.spool.producer.OtlpReceiver.Received;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tracing across processes, as a user turns it on: producer and consumer processes started with the
 * standard {@code OTEL_EXPORTER_OTLP_ENDPOINT}, their spans received over OTLP/HTTP by {@link
 * OtlpReceiver} and checked as one trace; and off by default.
 */
@ExtendWith(SpoolServicesExtension.class)
final class TracingIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private SpoolProcesses procs;
  private OtlpReceiver otlp;

  @AfterEach
  void stop() throws Exception {
    if (procs != null) procs.close();
    if (otlp != null) otlp.close();
  }

  @Test
  void nestedTask_isOneTraceFromTheProducerThroughTheNestedSubmission(
      SpoolTestEnv env, TestInfo info) throws Exception {
    otlp = OtlpReceiver.start();
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, true, otlp.environment(), "--concurrency", "4");

    var apply = procs.producer("apply", "nest", "--input", "6");
    apply.environment().putAll(otlp.environment());
    SpoolProcesses.Run run = procs.run(apply, "producer-apply");
    assertEquals(0, run.exit(), run.stderr());
    assertEquals("37", run.stdout().strip()); // 6 * 6 + 1, the square from a nested task

    List<String> expected =
        List.of(
            "publish nest",
            "wait nest",
            "process nest",
            "publish square",
            "wait square",
            "process square",
            "result square",
            "result nest");
    await().atMost(WAIT).until(() -> expected.stream().allMatch(n -> otlp.named(n).size() == 1));

    Received publishNest = otlp.one("publish nest");
    Received waitNest = otlp.one("wait nest");
    Received processNest = otlp.one("process nest");
    Received publishSquare = otlp.one("publish square");
    Received waitSquare = otlp.one("wait square");
    Received processSquare = otlp.one("process square");
    Received resultSquare = otlp.one("result square");
    Received resultNest = otlp.one("result nest");

    Set<String> traces =
        expected.stream().map(n -> otlp.one(n).trace()).collect(Collectors.toUnmodifiableSet());
    assertEquals(1, traces.size(), "one trace: " + otlp.spans());

    // The producer's publish is the root, in the producer's process.
    assertEquals("", publishNest.parent().replace("0", ""), "root: " + publishNest);
    assertEquals("spool-producer", publishNest.service());
    assertEquals("PRODUCER", publishNest.kind());
    assertEquals(env.workQueue("tasks"), publishNest.attribute("messaging.destination.name"));
    String id = publishNest.attribute("messaging.message.id");
    assertNotNull(id);

    // The consumer continues it: waiting and running are children of the publish.
    for (Received r : List.of(waitNest, processNest)) {
      assertEquals(publishNest.span(), r.parent(), r.toString());
      assertEquals("spool-consumer", r.service());
      assertEquals(id, r.attribute("messaging.message.id"));
    }
    assertEquals("CONSUMER", processNest.kind());
    assertEquals("1", processNest.attribute("spool.task.attempt"));
    assertEquals("success", processNest.attribute("spool.outcome"));
    assertTrue(waitNest.end() <= processNest.start(), "the wait ends where the run starts");
    assertEquals(processNest.span(), resultNest.parent());
    assertEquals("result", resultNest.attribute("spool.outcome"));

    // The task submitted from the handler is the handler's child, and so is its whole course.
    assertEquals(processNest.span(), publishSquare.parent());
    assertEquals("spool-consumer", publishSquare.service());
    assertEquals(publishSquare.span(), waitSquare.parent());
    assertEquals(publishSquare.span(), processSquare.parent());
    assertEquals(processSquare.span(), resultSquare.parent());
    assertTrue(
        processNest.start() <= publishSquare.start() && processSquare.end() <= processNest.end(),
        "the nested task ran within its parent's run");
  }

  @Test
  void failingTask_errorSpansAndItsRetryInTheSameTrace(SpoolTestEnv env, TestInfo info)
      throws Exception {
    otlp = OtlpReceiver.start();
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(
        1, false, otlp.environment(), "--max-attempts", "2", "--retry-delay", "100ms");

    var apply = procs.producer("apply", "fail", "--input", "\"boom\"");
    apply.environment().putAll(otlp.environment());
    SpoolProcesses.Run run = procs.run(apply, "producer-apply");
    assertEquals(1, run.exit(), run.stdout());
    assertTrue(run.stderr().contains("boom"), run.stderr());

    await()
        .atMost(WAIT)
        .until(
            () ->
                otlp.named("process fail").size() == 2
                    && otlp.named("result fail").size() >= 3
                    && otlp.named("publish fail").size() == 1);
    List<Received> runs =
        otlp.named("process fail").stream()
            .sorted(Comparator.comparing(r -> r.attribute("spool.task.attempt")))
            .toList();
    assertEquals(1, otlp.spans().stream().map(Received::trace).distinct().count(), otlp.names());
    for (Received r : runs) {
      assertTrue(r.error(), "a failed run is an error span: " + r);
      assertEquals("failure", r.attribute("spool.outcome"));
      assertTrue(
          r.events().stream().anyMatch(e -> e.startsWith("exception") && e.contains("boom")),
          r.events().toString());
    }
    assertEquals(
        List.of("1", "2"), runs.stream().map(r -> r.attribute("spool.task.attempt")).toList());
    // The first run published the retry: the second attempt is its child.
    assertEquals(otlp.one("publish fail").span(), runs.get(0).parent());
    assertEquals(runs.get(0).span(), runs.get(1).parent());
    Map<String, List<String>> settledBy =
        otlp.named("result fail").stream()
            .collect(
                Collectors.groupingBy(
                    Received::parent,
                    Collectors.mapping(r -> r.attribute("spool.outcome"), Collectors.toList())));
    assertEquals(List.of("retry"), settledBy.get(runs.get(0).span()));
    assertEquals(
        Set.of("dead-letter", "error"),
        Set.copyOf(settledBy.get(runs.get(1).span())),
        settledBy.toString());
  }

  @Test
  void off_byDefault_aPoolAddsNoTraceHeaders(SpoolTestEnv env) throws Exception {
    // A pool given no OpenTelemetry, in a JVM where none is set: nothing is added to the task.
    try (TaskPool pool = SpoolProcesses.pool(env, WAIT)) {
      pool.submit("square", 3L, TaskOptions.defaults());
    }
    try (Channel ch = env.connection().createChannel()) {
      GetResponse task = ch.basicGet(env.workQueue("tasks"), false);
      assertNotNull(task, "the submitted task is queued");
      Map<String, Object> headers = task.getProps().getHeaders();
      assertFalse(headers.containsKey("traceparent"), headers.toString());
      assertFalse(headers.containsKey(dev.spool.core.wire.Tracing.SENT_AT), headers.toString());
      ch.basicNack(task.getEnvelope().getDeliveryTag(), false, true);
    }
  }
}
