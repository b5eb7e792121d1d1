package dev.spool.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The broker's own round trip at Spool's durability, as the reference for {@code apply}: with the
 * bare RabbitMQ client, a caller publishes a persistent message (publisher confirms on) to a quorum
 * queue, a responder in another connection takes it (manual ack, prefetch 32), publishes a
 * persistent reply to a durable classic queue and acks, and the caller takes the reply. No JSON, no
 * Redis, no threads of Spool's: what any client pays for the same trip on the same broker.
 *
 * <p>At Celery's durability ({@code spoolDurability} false) the same trip runs without publisher
 * confirms and with transient replies to a non-durable queue, as Celery's {@code rpc://} results
 * travel; the task message stays persistent, as Celery's does.
 *
 * <p>With a hand-off ({@link #withHandOff}), the responder's client thread passes each message to
 * one of 8 worker threads, which replies and acks: what a consumer that runs handlers on threads of
 * its own (as Spool's does, as any consumer with a concurrency does) pays on top of the trip.
 */
final class RawRoundTrip implements AutoCloseable {
  private final Connection callerConnection;
  private final Connection responderConnection;
  private final Channel caller;
  private final String work;
  private final String reply;
  private final BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
  private final ExecutorService workers; // null: the responder replies on the client's thread

  // The current call's moments ({@link System#nanoTime()}): the caller's publish returned, the
  // responder's client thread took its message, the reply began (on a worker with a hand-off), the
  // reply was published, the caller's client thread took it.
  private volatile long sentAt;
  private volatile long deliveredAt;
  private volatile long handledAt;
  private volatile long publishedAt;
  private volatile long arrivedAt;
  // The number of the call whose publishedAt is set: the reply can reach the caller before the
  // responder's publish returns, and the caller then waits for it rather than read the last one's.
  private volatile long publishedFor = -1;

  RawRoundTrip(URI amqp, String prefix) throws Exception {
    this(amqp, prefix, "quorum", true, false);
  }

  /** At Spool's durability on a quorum queue, the responder handing each message to a worker. */
  static RawRoundTrip withHandOff(URI amqp, String prefix) throws Exception {
    return new RawRoundTrip(amqp, prefix, "quorum", true, true);
  }

  RawRoundTrip(URI amqp, String prefix, String workQueueType, boolean spoolDurability)
      throws Exception {
    this(amqp, prefix, workQueueType, spoolDurability, false);
  }

  /**
   * With the work queue of {@code workQueueType} ({@code quorum} or {@code classic}), at Spool's
   * durability or at Celery's; with {@code handOff}, replying on a worker thread.
   */
  private RawRoundTrip(
      URI amqp, String prefix, String workQueueType, boolean spoolDurability, boolean handOff)
      throws Exception {
    workers =
        handOff
            ? Executors.newFixedThreadPool(
                8, r -> Thread.ofPlatform().daemon().name("raw-worker").unstarted(r))
            : null;
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(amqp);
    callerConnection = f.newConnection("raw-caller");
    responderConnection = f.newConnection("raw-responder");
    work = prefix + ".raw.work";
    reply = prefix + ".raw.reply";
    caller = callerConnection.createChannel();
    caller.queueDeclare(work, true, false, false, Map.of("x-queue-type", workQueueType));
    caller.queueDeclare(
        reply, spoolDurability, false, !spoolDurability, Map.of("x-queue-type", "classic"));
    if (spoolDurability) caller.confirmSelect();
    caller.basicConsume(
        reply,
        true,
        new DefaultConsumer(caller) {
          @Override
          public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body) {
            arrivedAt = System.nanoTime();
            replies.add(body);
          }
        });
    Channel responder = responderConnection.createChannel();
    if (spoolDurability) responder.confirmSelect();
    responder.basicQos(32);
    responder.basicConsume(
        work,
        false,
        new DefaultConsumer(responder) {
          @Override
          public void handleDelivery(String tag, Envelope e, AMQP.BasicProperties p, byte[] body)
              throws IOException {
            deliveredAt = System.nanoTime();
            if (workers == null) {
              respond(e, p, body);
            } else {
              workers.execute(
                  () -> {
                    try {
                      respond(e, p, body);
                    } catch (IOException x) {
                      throw new java.io.UncheckedIOException(x);
                    }
                  });
            }
          }

          private void respond(Envelope e, AMQP.BasicProperties p, byte[] body) throws IOException {
            handledAt = System.nanoTime();
            long n = Long.parseLong(new String(body, java.nio.charset.StandardCharsets.US_ASCII));
            responder.basicPublish(
                "",
                p.getReplyTo(),
                new AMQP.BasicProperties.Builder()
                    .deliveryMode(spoolDurability ? 2 : 1)
                    .correlationId(p.getCorrelationId())
                    .build(),
                Long.toString(n * n).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            publishedAt = System.nanoTime();
            publishedFor = n;
            responder.basicAck(e.getDeliveryTag(), false);
          }
        });
  }

  /** The queue the responder takes its calls from. */
  String workQueue() {
    return work;
  }

  /** Publishes call {@code n}: a persistent message to {@code work}, its reply to {@code reply}. */
  static void call(Channel caller, String work, String reply, long n) throws IOException {
    caller.basicPublish(
        "",
        work,
        new AMQP.BasicProperties.Builder()
            .deliveryMode(2)
            .replyTo(reply)
            .correlationId(Long.toString(n))
            .build(),
        Long.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /** One round trip's time in nanoseconds. */
  long once(long n) throws Exception {
    long t0 = System.nanoTime();
    call(caller, work, reply, n);
    sentAt = System.nanoTime();
    if (replies.poll(30, TimeUnit.SECONDS) == null) {
      throw new IllegalStateException("no raw reply in 30 s");
    }
    return System.nanoTime() - t0;
  }

  /**
   * One round trip's moments, as {@link Stages} orders them: the message is handed on as it is
   * delivered, and with no handler the worker's start, the handler's start and end are all the
   * reply's start.
   */
  long[] stages(long n) throws Exception {
    long t0 = System.nanoTime();
    once(n);
    long t1 = System.nanoTime();
    long until = t1 + TimeUnit.SECONDS.toNanos(10);
    while (publishedFor != n) {
      if (System.nanoTime() > until) throw new IllegalStateException("no reply published for " + n);
      Thread.onSpinWait();
    }
    return new long[] {
      t0,
      sentAt,
      deliveredAt,
      deliveredAt,
      handledAt,
      handledAt,
      handledAt,
      publishedAt,
      arrivedAt,
      t1
    };
  }

  /** {@code n} round trips after {@code warmUp}, sorted. */
  long[] sorted(int warmUp, int n) throws Exception {
    for (int i = 0; i < warmUp; i++) once(i);
    long[] nanos = new long[n];
    for (int i = 0; i < n; i++) nanos[i] = once(i);
    Arrays.sort(nanos);
    return nanos;
  }

  @Override
  public void close() throws Exception {
    try {
      caller.queueDelete(work);
      caller.queueDelete(reply);
    } finally {
      callerConnection.close();
      responderConnection.close();
      if (workers != null) workers.shutdownNow();
    }
  }
}
