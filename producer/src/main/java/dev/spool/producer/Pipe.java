package dev.spool.producer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.spool.SpoolException;
import dev.spool.core.PipeTakenException;
import dev.spool.core.ProcessIdentity;
import dev.spool.core.QueueEmptyException;
import dev.spool.core.SpoolCodecException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.ConfirmingPublisher;
import dev.spool.core.wire.JsonCodec;
import dev.spool.core.wire.Session;
import dev.spool.core.wire.Topology;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One end of a named two-way pipe between two processes, like the connections {@code
 * multiprocessing.Pipe()} returns. Each end reads its own durable queue ({@code <ns>.pipe.<name>.a}
 * or {@code .b}) and writes the other's, so messages sent while the other end is down wait for it.
 * An end is held by an exclusive subscription: while a process has it open, no other can take it,
 * and when the process dies the broker frees it at once.
 *
 * <pre>{@code
 * try (Pipe<String> end = spool.pipe("ping", String.class)) { // end a, or b if a is taken
 *   end.send("ping");
 *   String answer = end.recv(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>{@link #send} returns once the broker has the message. Send from any thread; receive from one.
 * {@link #close()} frees the end (messages to it stay queued); {@link #delete()} drops both queues.
 */
public final class Pipe<T> implements AutoCloseable {
  /** The two ends. */
  public enum End {
    A,
    B;

    End other() {
      return this == A ? B : A;
    }

    String suffix() {
      return this == A ? "a" : "b";
    }
  }

  private final String name;
  private final End end;
  private final Class<T> type;
  private final Session session;
  private final Channel channel;
  private final ConfirmingPublisher publisher;
  private final String inbound;
  private final String outbound;
  private final JsonCodec codec = new JsonCodec();
  private final BlockingQueue<Message> arrived = new LinkedBlockingQueue<>();
  private Message held; // taken off arrived by poll, not yet by recv; the reading thread's own
  private volatile boolean closed;

  private Pipe(
      String name,
      End end,
      Class<T> type,
      Session session,
      Channel channel,
      ConfirmingPublisher publisher,
      String inbound,
      String outbound) {
    this.name = name;
    this.end = end;
    this.type = type;
    this.session = session;
    this.channel = channel;
    this.publisher = publisher;
    this.inbound = inbound;
    this.outbound = outbound;
  }

  /** Opens end A, or B when A is taken. */
  static <T> Pipe<T> either(java.util.function.Function<End, Pipe<T>> opener, String name) {
    try {
      return opener.apply(End.A);
    } catch (PipeTakenException a) {
      try {
        return opener.apply(End.B);
      } catch (PipeTakenException b) {
        throw new PipeTakenException(
            "both ends of pipe '"
                + name
                + "' are open in other processes; a pipe connects exactly two. Close one, or"
                + " use another pipe name");
      }
    }
  }

  /** Opens end {@code end} of pipe {@code name} on {@code session}. */
  static <T> Pipe<T> open(Session session, Topology topology, String name, End end, Class<T> type) {
    String inbound = topology.pipeQueue(name, end.suffix());
    String outbound = topology.pipeQueue(name, end.other().suffix());
    String me = ProcessIdentity.current("pipe").id();
    try {
      return session.setUp(
          "open pipe '" + name + "'",
          s -> {
            try (Channel declare = s.connection().createChannel()) {
              topology.declarePipeQueue(declare, inbound);
              topology.declarePipeQueue(declare, outbound);
            }
            Channel channel = s.channel();
            channel.basicQos(1);
            ConfirmingPublisher publisher = new ConfirmingPublisher(s.channel(), 1024);
            Pipe<T> pipe = new Pipe<>(name, end, type, s, channel, publisher, inbound, outbound);
            pipe.subscribe(me);
            return pipe;
          });
    } catch (SpoolConnectionException e) {
      if (refused(e)) {
        throw new PipeTakenException(
            "end " + end + " of pipe '" + name + "' is open in another process");
      }
      throw e;
    }
  }

  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException s
          && s.getReason() instanceof AMQP.Channel.Close c
          && c.getReplyCode() == AMQP.ACCESS_REFUSED) {
        return true;
      }
    }
    return false;
  }

  private void subscribe(String me) throws IOException {
    channel.basicConsume(
        inbound,
        false,
        "spool-pipe " + me,
        false,
        true, // exclusive: this process holds this end
        null,
        new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            arrived.add(new Message(envelope.getDeliveryTag(), body));
          }
        });
  }

  /** Which end this is. */
  public End end() {
    return end;
  }

  /** Sends {@code message} to the other end; returns once the broker has it (30 s at most). */
  public void send(T message) {
    if (closed) throw new IllegalStateException("pipe '" + name + "' is closed");
    byte[] body = codec.encode(message);
    AMQP.BasicProperties props =
        new AMQP.BasicProperties.Builder().contentType("application/json").deliveryMode(2).build();
    publisher.publishConfirmed(
        outbound, props, body, Duration.ofSeconds(30), "a send on pipe '" + name + "'");
  }

  /** Blocks until a message arrives and returns it. */
  public T recv() {
    return recv(SpoolQueue.FOREVER);
  }

  /**
   * Waits up to {@code timeout} for a message.
   *
   * @throws QueueEmptyException when none came in time
   */
  public T recv(Duration timeout) {
    if (!poll(timeout)) {
      throw new QueueEmptyException("no message on pipe '" + name + "' within " + timeout);
    }
    Message m = held;
    held = null;
    try {
      T message = codec.decode(m.body(), type);
      channel.basicAck(m.tag(), false);
      return message;
    } catch (SpoolCodecException x) {
      reject(m.tag());
      throw new SpoolCodecException(
          "a message on pipe '"
              + name
              + "' is not a "
              + type.getSimpleName()
              + ": "
              + x.getMessage(),
          x);
    } catch (IOException x) {
      throw new SpoolConnectionException("cannot ack a message on pipe '" + name + "': " + x, x);
    }
  }

  /** True when a message is here, or arrives within {@code timeout}; it is not taken. */
  public boolean poll(Duration timeout) {
    if (closed) throw new IllegalStateException("pipe '" + name + "' is closed");
    if (held != null) return true;
    try {
      held = arrived.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while waiting on pipe '" + name + "'", x);
    }
    return held != null;
  }

  /** A message delivered to this end. */
  private record Message(long tag, byte[] body) {}

  private void reject(long tag) {
    try {
      channel.basicReject(tag, false);
    } catch (IOException ignored) {
      // the channel is gone: the message comes back to this end's next holder
    }
  }

  /** Frees this end; messages sent to it wait for its next holder. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    session.close();
  }

  /** Deletes both of the pipe's queues and what they hold. */
  public void delete() {
    try (Channel ch = session.connection().createChannel()) {
      ch.queueDelete(inbound);
      ch.queueDelete(outbound);
    } catch (IOException | java.util.concurrent.TimeoutException e) {
      throw new SpoolConnectionException("cannot delete pipe '" + name + "': " + e, e);
    }
  }
}
