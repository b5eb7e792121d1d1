package dev.spool.consumer.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.impl.AMQImpl;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.Topology;
import dev.spool.state.SharedStateConfig;
import dev.spool.state.internal.RedisState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * RabbitMQ as the settlement code sees it, behind fake channels: a consuming channel that fails as
 * the broker does on a second frame for one delivery tag (a channel error, 406, that stopped the
 * consumer), a publishing channel in confirm mode whose confirms and nacks the test sends by hand,
 * and a declaring channel. Redis is unreachable ({@link #state}): every write to it fails at once.
 * Not thread-safe beyond what the tests need: frames and publishes are recorded in concurrent
 * lists.
 */
final class FakeBroker {
  /** A message published, numbered as the broker numbers it for confirms. */
  record Published(long seq, String queue, AMQP.BasicProperties props, byte[] body) {
    String header(String name) {
      Object v = props.getHeaders() == null ? null : props.getHeaders().get(name);
      return v == null ? null : v.toString();
    }
  }

  final TreeSet<Long> unacked = new TreeSet<>(); // delivered to the consumer, not settled
  final List<String> frames = new CopyOnWriteArrayList<>(); // ack/reject frames, in order
  final List<String> channelErrors = new CopyOnWriteArrayList<>();
  final List<Published> published = new CopyOnWriteArrayList<>();
  final List<Runnable> resends = new CopyOnWriteArrayList<>(); // nacked, to publish again
  private final List<ConfirmListener> confirms = new ArrayList<>();
  private long seq = 1;
  volatile boolean publishingBroken; // basicPublish fails as on a closed channel
  volatile String brokenQueue; // basicPublish to this queue alone fails

  final JsonCodec codec = new JsonCodec();
  final Topology topology = new Topology("ns");
  final Counters counters = new Counters(new SimpleMeterRegistry(), "ns.work.tasks", n -> true);
  final RedisState state =
      RedisState.connect(
          SharedStateConfig.builder().redisUri("redis://127.0.0.1:1/0").namespace("ns").build());
  final ConfirmingPublisher publisher;
  final AcksTest.ManualExecutor flusher = new AcksTest.ManualExecutor();
  final Acks acks;

  FakeBroker() {
    try {
      publisher = new ConfirmingPublisher(publishing(), Integer.MAX_VALUE, resends::add);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    acks = new Acks(consuming(), flusher);
  }

  /** Outcomes on this broker, with reply queues that always have a reader. */
  Outcomes outcomes(ConsumerConfig settings) {
    return new Outcomes(
        publisher,
        acks,
        codec,
        "w1",
        state,
        topology,
        declaring(),
        settings,
        counters,
        Clock.systemUTC(),
        1 << 20,
        new ReplyQueues(q -> 1, Clock.systemUTC()));
  }

  /** The broker hands the consumer delivery {@code tag}. */
  Delivery deliver(long tag, AMQP.BasicProperties props, String body) {
    synchronized (this) {
      unacked.add(tag);
    }
    acks.delivered(tag);
    return new Delivery(tag, props, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
  }

  /** Sends the acks waiting in the coalescer. */
  void flushAcks() {
    while (!flusher.queued.isEmpty()) flusher.runOne();
  }

  void confirm(Published p) throws IOException {
    for (ConfirmListener l : confirms) l.handleAck(p.seq(), false);
  }

  void nack(Published p) throws IOException {
    for (ConfirmListener l : confirms) l.handleNack(p.seq(), false);
  }

  /** Runs the publishes a nack handed to the resender. */
  void resend() {
    List<Runnable> todo = new ArrayList<>(resends);
    resends.clear();
    todo.forEach(Runnable::run);
  }

  List<Published> to(String queue) {
    return published.stream().filter(p -> p.queue().equals(queue)).toList();
  }

  List<Published> toPrefix(String prefix) {
    return published.stream().filter(p -> p.queue().startsWith(prefix)).toList();
  }

  private synchronized void settle(String frame, long tag) {
    frames.add(frame);
    if (!unacked.remove(tag)) {
      channelErrors.add("PRECONDITION_FAILED - unknown delivery tag " + tag + " (" + frame + ")");
    }
  }

  Channel consuming() {
    Connection connection = connection();
    return proxy(
        (method, args) ->
            switch (method) {
              case "basicAck" -> {
                long tag = (Long) args[0];
                if ((Boolean) args[1]) {
                  List<Long> covered;
                  synchronized (this) {
                    covered = new ArrayList<>(unacked.headSet(tag, true));
                  }
                  for (long t : covered) settle("ack " + t, t);
                } else {
                  settle("ack " + tag, tag);
                }
                yield null;
              }
              case "basicReject" -> {
                settle(((Boolean) args[1] ? "requeue " : "reject ") + args[0], (Long) args[0]);
                yield null;
              }
              case "getConnection" -> connection;
              case "isOpen" -> true;
              default -> null;
            });
  }

  Channel publishing() {
    return proxy(
        (method, args) ->
            switch (method) {
              case "addConfirmListener" -> {
                confirms.add((ConfirmListener) args[0]);
                yield null;
              }
              case "getNextPublishSeqNo" -> seq;
              case "basicPublish" -> {
                AMQP.BasicProperties p = (AMQP.BasicProperties) args[args.length - 2];
                String queue = (String) args[1];
                if (publishingBroken || queue.equals(brokenQueue)) {
                  throw new IOException("channel closed");
                }
                published.add(new Published(seq++, queue, p, (byte[]) args[args.length - 1]));
                yield null;
              }
              case "isOpen" -> true;
              default -> null;
            });
  }

  Channel declaring() {
    return proxy(
        (method, args) ->
            switch (method) {
              case "queueDeclare", "queueDeclarePassive" ->
                  new AMQImpl.Queue.DeclareOk((String) args[0], 0, 1);
              case "isOpen" -> true;
              default -> null;
            });
  }

  Connection connection() {
    return (Connection)
        Proxy.newProxyInstance(
            getClass().getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "createChannel" -> declaring();
                  case "isOpen" -> true;
                  default -> null;
                });
  }

  @FunctionalInterface
  private interface Handler {
    Object handle(String method, Object[] args) throws Exception;
  }

  private static Channel proxy(Handler h) {
    return (Channel)
        Proxy.newProxyInstance(
            FakeBroker.class.getClassLoader(),
            new Class<?>[] {Channel.class},
            (proxy, m, args) -> h.handle(m.getName(), args == null ? new Object[0] : args));
  }

  /** Properties of a task as a producer sends it. */
  static AMQP.BasicProperties task(String id, String name, Map<String, Object> headers) {
    Map<String, Object> h = new java.util.HashMap<>(headers);
    h.putIfAbsent(dev.spool.core.wire.Headers.KIND, dev.spool.core.wire.Headers.KIND_TASK);
    return new AMQP.BasicProperties.Builder()
        .messageId(id)
        .correlationId(id)
        .type(name)
        .replyTo("ns.reply.p1")
        .contentType("application/json")
        .headers(h)
        .build();
  }
}
