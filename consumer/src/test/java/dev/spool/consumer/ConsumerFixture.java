package dev.spool.consumer;

import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.spool.HandlerRegistry;
import dev.spool.consumer.internal.ConsumerRuntime;
import dev.spool.core.DeadLetter;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.DeadLetterCodec;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.PoisonPill;
import dev.spool.core.wire.TaskMessage;
import dev.spool.core.wire.TaskResult;
import dev.spool.testing.SpoolTestEnv;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Raw AMQP around one consumer under test: publishes tasks, reads its results. */
final class ConsumerFixture {
  static final Duration WAIT = Duration.ofSeconds(20);
  private final JsonCodec codec = new JsonCodec();

  final SpoolTestEnv env;
  final String queue;
  final String replies;
  final Channel channel;
  final List<TaskResult> seen = new ArrayList<>();
  final FixtureTasks tasks = new FixtureTasks();

  ConsumerFixture(SpoolTestEnv env) throws Exception {
    this.env = env;
    this.queue = env.workQueue("tasks");
    this.replies = env.track(env.namespace() + ".reply.test");
    this.channel = env.connection().createChannel();
    channel.queueDeclare(replies, false, false, false, null);
  }

  void declare() {
    env.topology().declareWorkQueue(channel, "tasks");
  }

  /** Starts a consumer with a lower message size limit. */
  SpoolConsumer start(ConsumerConfig settings, String maxMessageSize) {
    return ConsumerRuntime.start(
        env.config().toBuilder().maxMessageSize(maxMessageSize).build(), settings, registry());
  }

  SpoolConsumer start(ConsumerConfig settings) {
    return ConsumerRuntime.start(env.config(), settings, registry());
  }

  /** The providers on the classpath (as a consumer process finds them) plus this test's tasks. */
  private HandlerRegistry registry() {
    HandlerRegistry registry = HandlerRegistry.withProviders(getClass().getClassLoader());
    tasks.registerTasks(registry);
    return registry;
  }

  String publish(String task, String json) throws Exception {
    String id = UUID.randomUUID().toString();
    TaskMessage m =
        new TaskMessage(
            id, task, replies, 1, 0, 0, null, "test", json.getBytes(StandardCharsets.UTF_8));
    channel.basicPublish("", queue, runEvenIfAbandoned(m.toProperties()), m.body());
    return id;
  }

  /**
   * This fixture reads results with basic.get, so its reply queue has no consumer: without the
   * header a consumer would take its tasks for a dead producer's after a while and skip them.
   */
  static AMQP.BasicProperties runEvenIfAbandoned(AMQP.BasicProperties p) {
    Map<String, Object> h = new HashMap<>(p.getHeaders());
    h.put(Headers.IF_ABANDONED, Headers.IF_ABANDONED_RUN);
    return p.builder().headers(h).build();
  }

  void publishRaw(AMQP.BasicProperties props, String body) throws Exception {
    channel.basicPublish("", queue, props, body.getBytes(StandardCharsets.UTF_8));
  }

  void publishPill(Instant issued) throws Exception {
    PoisonPill p = PoisonPill.issue(issued, "test");
    channel.basicPublish("", queue, p.toProperties(), p.body());
  }

  Map<String, TaskResult> awaitResults(int n) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              GetResponse g;
              while ((g = channel.basicGet(replies, true)) != null) {
                // its tasks say they read results several to a message, as a pool's do
                seen.addAll(
                    dev.spool.core.wire.ResultBatch.results(
                        g.getProps(), g.getBody(), new dev.spool.core.wire.JsonCodec()));
              }
              return seen.size() >= n;
            });
    Map<String, TaskResult> byId = new HashMap<>();
    seen.forEach(r -> byId.put(r.taskId(), r));
    return byId;
  }

  /** Publishes a task with extra headers. */
  String publish(String task, String json, Map<String, Object> headers) throws Exception {
    return publish(task, json, headers, UUID.randomUUID().toString());
  }

  /** As {@link #publish(String, String, Map)}, with the task id given. */
  String publish(String task, String json, Map<String, Object> headers, String id)
      throws Exception {
    TaskMessage m =
        new TaskMessage(
            id, task, replies, 1, 0, 0, null, "test", json.getBytes(StandardCharsets.UTF_8));
    AMQP.BasicProperties p = runEvenIfAbandoned(m.toProperties());
    Map<String, Object> h = new HashMap<>(p.getHeaders());
    h.putAll(headers);
    channel.basicPublish("", queue, p.builder().headers(h).build(), m.body());
    return id;
  }

  /** Waits until the dead-letter queue holds {@code n} messages, then takes them all. */
  List<DeadLetter> awaitDeadLetters(int n) throws Exception {
    String dead = env.topology().deadQueue("tasks");
    await().atMost(WAIT).until(() -> env.ready(dead) >= n);
    List<DeadLetter> out = new ArrayList<>();
    GetResponse g;
    while ((g = channel.basicGet(dead, true)) != null) {
      out.add(DeadLetterCodec.from(g.getProps(), g.getBody(), codec));
    }
    return out;
  }

  RemoteError error(TaskResult r) {
    return codec.decode(r.body(), RemoteError.class);
  }
}
