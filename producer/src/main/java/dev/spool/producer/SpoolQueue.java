package dev.spool.producer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.spool.SpoolException;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.QueueClosedException;
import dev.spool.core.QueueEmptyException;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.PoisonPill;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A typed queue between processes, like {@code multiprocessing.Queue}: items are JSON in a durable
 * RabbitMQ queue {@code <ns>.queue.<name>}, first in first out for each writer.
 *
 * <pre>{@code
 * try (SpoolQueue<Integer> q = spool.queue("numbers", Integer.class)) {
 *   for (int i = 0; i < 5; i++) q.put(i);
 *   q.close(1); // one poison pill: one reader stops
 * }
 * // another process
 * try (SpoolQueue<Integer> q = spool.queue("numbers", Integer.class)) {
 *   for (Integer i : q.items()) System.out.println(i); // ends at the pill
 * }
 * }</pre>
 *
 * <p>{@link #put} returns once the broker has the item (a publisher confirm). {@link #get} hands an
 * item over and acks it; a reader holds at most one item ahead of its {@code get} calls. Take
 * {@link JoinableQueue} for items acked only when marked done. Thread-safe for writers; one thread
 * should read. {@link #close()} ends this process's use (a writer's close puts the pills); the
 * queue and its items stay until {@link #delete()}.
 */
public class SpoolQueue<T> implements AutoCloseable {
  private final Class<T> type;
  private final String queue;
  private final Session session;
  private final ConfirmingPublisher publisher;
  private final Channel declareChannel;
  private final JsonCodec codec = new JsonCodec();
  private final String sender;
  private final int prefetch;
  private final BlockingQueue<Message> buffer = new LinkedBlockingQueue<>();
  private Channel readChannel; // guarded by this
  private volatile boolean closedForReader;
  private volatile boolean wrote;
  private volatile boolean closed;

  /** A delivery waiting in this reader's buffer. */
  record Message(long tag, AMQP.BasicProperties props, byte[] body) {}

  SpoolQueue(Session session, Topology topology, String name, Class<T> type, int prefetch) {
    this.session = session;
    this.type = type;
    this.prefetch = prefetch;
    this.queue = topology.plainQueue(name);
    this.sender = ProcessIdentity.current("queue").id();
    this.declareChannel =
        session.setUp(
            "open queue " + queue,
            s -> {
              Channel ch = s.channel();
              topology.declarePlainQueue(ch, queue);
              return ch;
            });
    this.publisher =
        session.setUp("open queue " + queue, s -> new ConfirmingPublisher(s.channel(), 1024));
  }

  /** The queue's full name in RabbitMQ. */
  public String queueName() {
    return queue;
  }

  /** Puts {@code item}, waiting up to 30 s for the broker to confirm it. */
  public void put(T item) {
    put(item, Duration.ofSeconds(30));
  }

  /**
   * Puts {@code item} and returns once the broker has confirmed it.
   *
   * @throws SpoolException when not confirmed within {@code timeout} (the broker is blocked or
   *     gone)
   * @throws SpoolCodecException when the item cannot be written as JSON
   */
  public void put(T item, Duration timeout) {
    byte[] body = codec.encode(item);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .type("item")
            .appId(sender)
            .build();
    publishAndConfirm(props, body, timeout);
  }

  void ensureOpen() {
    if (closed) throw new IllegalStateException(queue + ": this handle is closed");
  }

  void publishAndConfirm(AMQP.BasicProperties props, byte[] body, Duration timeout) {
    ensureOpen();
    wrote = true;
    publisher.publishConfirmed(queue, props, body, timeout, "a put to " + queue);
  }

  /** Blocks until an item arrives and returns it. */
  public T get() {
    return get(FOREVER);
  }

  /** A wait with no practical end. */
  static final Duration FOREVER = Duration.ofDays(36_500);

  /**
   * Waits up to {@code timeout} for an item.
   *
   * @throws QueueEmptyException when none came in time
   * @throws QueueClosedException when a poison pill came instead: this reader should stop
   */
  public T get(Duration timeout) {
    if (closedForReader) throw closed();
    subscribe();
    Message m;
    try {
      m = buffer.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while waiting on " + queue, e);
    }
    if (m == null) throw new QueueEmptyException("no item in " + queue + " within " + timeout);
    return take(m);
  }

  /**
   * Returns an item if one is here now (Python's {@code get_nowait}).
   *
   * @throws QueueEmptyException when none is
   */
  public T getNowait() {
    if (closedForReader) throw closed();
    subscribe();
    Message m = buffer.poll();
    if (m == null) {
      try {
        // The broker may hold an item our subscription has not been sent yet: ask once directly.
        m = directGet();
      } catch (IOException e) {
        throw new SpoolConnectionException("cannot read " + queue + ": " + e, e);
      }
    }
    if (m == null) throw new QueueEmptyException(queue + " is empty");
    return take(m);
  }

  private synchronized Message directGet() throws IOException {
    var g = readChannel.basicGet(queue, false);
    return g == null
        ? null
        : new Message(g.getEnvelope().getDeliveryTag(), g.getProps(), g.getBody());
  }

  private T take(Message m) {
    if (PoisonPill.isPill(m.props())) {
      ack(m.tag());
      closedForReader = true;
      throw closed();
    }
    T item;
    try {
      item = codec.decode(m.body(), type);
    } catch (SpoolCodecException e) {
      reject(m.tag());
      throw new SpoolCodecException(
          "an item of " + queue + " is not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
    taken(m.tag());
    return item;
  }

  /**
   * What happens to a delivery once its item is handed over: acked here; later in a joinable queue.
   */
  void taken(long tag) {
    ack(tag);
  }

  /** The items, until a poison pill; {@code next()} blocks. */
  public Iterable<T> items() {
    return () ->
        new Iterator<>() {
          private T next;
          private boolean done;

          @Override
          public boolean hasNext() {
            if (next != null) return true;
            if (done) return false;
            try {
              next = get();
              return true;
            } catch (QueueClosedException e) {
              done = true;
              return false;
            }
          }

          @Override
          public T next() {
            if (!hasNext()) throw new NoSuchElementException("the queue was closed");
            T t = next;
            next = null;
            return t;
          }
        };
  }

  /** Messages ready in the queue now, as the broker counts them (not those held by readers). */
  public long size() {
    try {
      return declareChannel.queueDeclarePassive(queue).getMessageCount();
    } catch (IOException e) {
      throw new SpoolConnectionException("cannot read the size of " + queue + ": " + e, e);
    }
  }

  /** Readers subscribed to the queue now. */
  public int readers() {
    try {
      return declareChannel.queueDeclarePassive(queue).getConsumerCount();
    } catch (IOException e) {
      throw new SpoolConnectionException("cannot count the readers of " + queue + ": " + e, e);
    }
  }

  /**
   * Ends this process's use of the queue. A handle that put items puts one poison pill per reader
   * subscribed now, behind its items (each pill stops one reader); then the connection closes.
   * Readers that have not called {@code get} yet are not counted: when you know how many there will
   * be, use {@link #close(int)}. Items not read stay in the queue; an item this reader held but had
   * not handed over goes back to it. Idempotent.
   */
  @Override
  public void close() {
    if (closed) return;
    try {
      if (wrote) close(readers());
    } finally {
      disconnect();
    }
  }

  /** Puts {@code readers} poison pills behind the items already put, then disconnects. */
  public void close(int readers) {
    if (readers < 0) throw new IllegalArgumentException("readers must be >= 0, was " + readers);
    try {
      for (int i = 0; i < readers; i++) {
        PoisonPill pill = PoisonPill.issue(Clock.systemUTC().instant(), sender);
        publishAndConfirm(pill.toProperties(), pill.body(), Duration.ofSeconds(30));
      }
    } finally {
      disconnect();
    }
  }

  /** Closes the connection without putting pills. Idempotent. */
  public void disconnect() {
    if (closed) return;
    closed = true;
    session.close();
  }

  /** Deletes the queue and what it holds. */
  public void delete() {
    try {
      declareChannel.queueDelete(queue);
      wrote = false; // no reader is left to put pills for: close only disconnects
    } catch (IOException e) {
      throw new SpoolConnectionException("cannot delete " + queue + ": " + e, e);
    }
  }

  private synchronized void subscribe() {
    if (readChannel != null) return;
    try {
      readChannel = session.channel();
      readChannel.basicQos(prefetch);
      readChannel.basicConsume(
          queue,
          false,
          "spool-queue-reader " + sender,
          new DefaultConsumer(readChannel) {
            @Override
            public void handleDelivery(
                String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
              buffer.add(new Message(envelope.getDeliveryTag(), props, body));
            }
          });
    } catch (IOException e) {
      throw new SpoolConnectionException("cannot read " + queue + ": " + e, e);
    }
  }

  synchronized void ack(long tag) {
    try {
      readChannel.basicAck(tag, false);
    } catch (IOException e) {
      throw new SpoolConnectionException(
          "cannot ack an item of " + queue + " (" + e + "); it will be delivered again", e);
    }
  }

  private synchronized void reject(long tag) {
    try {
      readChannel.basicReject(tag, false);
    } catch (IOException e) {
      // the channel is gone: the item comes back, and is rejected again by its next reader
    }
  }

  private QueueClosedException closed() {
    return new QueueClosedException(queue + " was closed (a poison pill was read)");
  }
}
