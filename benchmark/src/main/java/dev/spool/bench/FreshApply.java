package dev.spool.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The first {@code n} round trips of a new JVM, as a short-lived program makes them, printed in
 * nanoseconds one per line. Run by {@code bin/spool-bench --only apply} in processes of its own:
 *
 * <ul>
 *   <li>{@code FreshApply n}: {@code apply} calls on a pool opened from the SPOOL_* variables,
 *       against the consumers already running;
 *   <li>{@code FreshApply n bare AMQP_URI WORK_QUEUE}: the bare client's round trip of {@link
 *       RawRoundTrip} (persistent, confirms on, reply to a durable classic queue), the caller's
 *       side only, against a responder already running in the benchmark's JVM. What any program on
 *       this JVM and client pays for its first calls: the reference for {@code apply}'s.
 * </ul>
 */
public final class FreshApply {
  private FreshApply() {}

  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    long[] nanos =
        args.length > 1 && args[1].equals("bare")
            ? bare(n, URI.create(args[2]), args[3])
            : spool(n);
    StringBuilder out = new StringBuilder();
    for (long t : nanos) out.append(t).append('\n');
    System.out.print(out);
  }

  private static long[] spool(int n) {
    SpoolConfig config = SpoolConfig.builderFromEnvironment(System.getenv()).build();
    long[] nanos = new long[n];
    try (Spool spool = Spool.connect(config);
        TaskPool pool = spool.pool()) {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        pool.apply("square", (long) i, Long.class, Duration.ofSeconds(30));
        nanos[i] = System.nanoTime() - t0;
      }
    }
    return nanos;
  }

  private static long[] bare(int n, URI amqp, String work) throws Exception {
    ConnectionFactory f = new ConnectionFactory();
    f.setUri(amqp);
    long[] nanos = new long[n];
    try (Connection connection = f.newConnection("raw-fresh-caller")) {
      Channel caller = connection.createChannel();
      String reply = work + ".fresh." + ProcessHandle.current().pid();
      caller.queueDeclare(reply, true, false, true, Map.of("x-queue-type", "classic"));
      caller.confirmSelect();
      BlockingQueue<byte[]> replies = new ArrayBlockingQueue<>(1);
      caller.basicConsume(
          reply,
          true,
          new DefaultConsumer(caller) {
            @Override
            public void handleDelivery(
                String tag, Envelope e, AMQP.BasicProperties p, byte[] body) {
              replies.add(body);
            }
          });
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        RawRoundTrip.call(caller, work, reply, i);
        if (replies.poll(30, TimeUnit.SECONDS) == null) {
          throw new IllegalStateException("no reply in 30 s on " + reply);
        }
        nanos[i] = System.nanoTime() - t0;
      }
      caller.queueDelete(reply);
    }
    return nanos;
  }
}
