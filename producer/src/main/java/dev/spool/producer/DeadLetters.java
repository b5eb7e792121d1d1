package dev.spool.producer;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;
import dev.spool.SpoolException;
import dev.spool.core.DeadLetter;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.DeadLetterCodec;
import dev.spool.core.wire.Headers;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The dead-letter queue of one work queue: tasks that failed for good, with why. List them, put
 * them back on their work queue, or drop them.
 *
 * <pre>{@code
 * try (DeadLetters dead = spool.deadLetters("tasks")) {
 *   for (DeadLetter d : dead.list(20)) System.out.println(d.taskId() + " " + d.reason());
 *   dead.replay(d -> d.reason() == DeadLetter.Reason.RETRIES_EXHAUSTED);
 * }
 * }</pre>
 *
 * Not thread-safe; one per thread.
 */
public final class DeadLetters implements AutoCloseable {
  private final Session session;
  private final String queue;
  private final String deadQueue;
  private final String workQueue;
  private final JsonCodec codec = new JsonCodec();

  DeadLetters(Session session, Topology topology, String queue) {
    this.session = session;
    this.queue = queue;
    this.deadQueue = topology.deadQueue(queue);
    this.workQueue = topology.workQueue(queue);
    session.setUp(
        "open " + deadQueue,
        s -> {
          try (Channel ch = s.connection().createChannel()) {
            return topology.declareWorkQueue(ch, queue);
          }
        });
  }

  /** The full name of the dead-letter queue. */
  public String queue() {
    return deadQueue;
  }

  /** Dead letters in the queue now. */
  public long count() {
    try (Channel ch = session.connection().createChannel()) {
      return ch.queueDeclarePassive(deadQueue).getMessageCount();
    } catch (IOException | TimeoutException e) {
      throw new SpoolConnectionException(reason(e), e);
    }
  }

  /**
   * The first {@code limit} dead letters, oldest first, left in the queue: they are taken without
   * an ack and handed back when the channel closes.
   */
  public List<DeadLetter> list(int limit) {
    if (limit < 1) throw new IllegalArgumentException("--limit must be at least 1, was " + limit);
    List<DeadLetter> out = new ArrayList<>();
    long available;
    try (Channel ch = session.connection().createChannel()) {
      ch.confirmSelect(); // for the copies recycle() puts back
      available = ch.queueDeclarePassive(deadQueue).getMessageCount();
      for (long i = 0; i < Math.min(limit, available); i++) {
        GetResponse r = ch.basicGet(deadQueue, false);
        if (r == null) break;
        out.add(DeadLetterCodec.from(r.getProps(), r.getBody(), codec));
        recycle(ch, r);
      }
    } catch (IOException | TimeoutException e) {
      throw new SpoolConnectionException(reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while listing dead letters", e);
    }
    awaitReturned(available);
    return out;
  }

  /**
   * How often a dead letter may be returned to its queue unacked (listed, or passed over by a
   * replay) before it is put back as a fresh copy instead. Every return counts as a delivery, and
   * RabbitMQ 4's quorum queues drop a message after 20 of them by default (its delivery limit; the
   * dead-letter queue has nowhere to dead-letter to), so that listing a dead letter 20 times would
   * lose it.
   */
  public static final int RECYCLE_AT = 10;

  /**
   * When {@code r} has been delivered {@link #RECYCLE_AT} times or more, publishes a copy of it to
   * the back of the dead-letter queue, confirmed, then acks the original: its delivery count starts
   * again. Never loses it; a crash between the two leaves two copies. Needs a channel in confirm
   * mode.
   */
  private void recycle(Channel ch, GetResponse r)
      throws IOException, InterruptedException, TimeoutException {
    Map<String, Object> headers = r.getProps().getHeaders();
    Long count = Headers.numberOrNull(headers, Headers.DELIVERY_COUNT);
    if (count == null || count < RECYCLE_AT) return;
    Map<String, Object> kept = new HashMap<>(headers);
    kept.remove(Headers.DELIVERY_COUNT);
    ch.basicPublish("", deadQueue, r.getProps().builder().headers(kept).build(), r.getBody());
    ch.waitForConfirmsOrDie(30_000);
    ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
  }

  /**
   * A quorum queue takes back unacked messages asynchronously: wait (up to 5 s) until they are
   * ready again, so that a listing is not followed by a count or a replay that misses them.
   */
  private void awaitReturned(long available) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    try (Channel ch = session.connection().createChannel()) {
      while (ch.queueDeclarePassive(deadQueue).getMessageCount() < available
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (IOException | TimeoutException e) {
      throw new SpoolConnectionException(reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Puts the dead letters that {@code which} accepts back on the work queue, as first attempts
   * without a deadline, and removes them from the dead-letter queue once the broker confirmed the
   * copy. Returns how many.
   */
  public int replay(Predicate<DeadLetter> which) {
    int replayed = 0;
    long available;
    try (Channel ch = session.connection().createChannel()) {
      ch.confirmSelect();
      available = ch.queueDeclarePassive(deadQueue).getMessageCount();
      for (long i = 0; i < available; i++) {
        GetResponse r = ch.basicGet(deadQueue, false);
        if (r == null) break;
        DeadLetter d = DeadLetterCodec.from(r.getProps(), r.getBody(), codec);
        if (!which.test(d)) {
          recycle(ch, r); // else left unacked: back in the queue when the channel closes
          continue;
        }
        ch.basicPublish("", workQueue, false, d.replayProperties(), d.body());
        ch.waitForConfirmsOrDie(30_000);
        ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
        replayed++;
      }
    } catch (IOException | TimeoutException e) {
      throw new SpoolConnectionException(reason(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while replaying dead letters", e);
    }
    awaitReturned(available - replayed); // those passed over, back before a count or a listing
    return replayed;
  }

  /** Deletes every dead letter; returns how many there were. */
  public long purge() {
    try (Channel ch = session.connection().createChannel()) {
      return ch.queuePurge(deadQueue).getMessageCount();
    } catch (IOException | TimeoutException e) {
      throw new SpoolConnectionException(reason(e), e);
    }
  }

  private String reason(Exception e) {
    return "dead-letter queue " + deadQueue + ": " + AmqpConnector.reason(e);
  }

  /** The short name of the work queue. */
  public String workQueue() {
    return queue;
  }

  @Override
  public void close() {
    session.close();
  }
}
