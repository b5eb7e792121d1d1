package dev.spool.core.wire;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.WriteListener;
import com.rabbitmq.client.impl.AMQConnection;
import com.rabbitmq.client.impl.Frame;
import com.rabbitmq.client.impl.FrameHandler;
import com.rabbitmq.client.impl.FrameHandlerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Many AMQP commands of one thread in one socket write. The RabbitMQ client flushes its socket
 * after every command, so each publish is a {@code write(2)} of a few hundred bytes and a read on
 * the broker's side: a third of a map's publishing thread went to those writes. While a batch is
 * open on a thread, the flushes that thread's commands ask for are held: their frames collect in
 * the connection's 8 KB buffer, which goes out when it fills, when another thread flushes the same
 * connection (a reply's ack, another caller's publish), or when the batch is {@linkplain #flush()
 * flushed} or {@linkplain #close() closed}.
 *
 * <p>The rule for its owner: <b>flush before waiting</b>. A frame held in the buffer has not
 * reached the broker, so a thread that waits for a confirm, a result or its next input while
 * holding one may wait forever. {@link ConfirmingPublisher} flushes before it waits for its window;
 * a map's feeder opens a batch only over inputs already in memory and flushes before it waits for
 * its reader. Only connections made by {@link AmqpConnector} hold flushes ({@link #frameHandlers}).
 *
 * <p>Not thread-safe: a batch belongs to the thread that opened it. Closing twice is harmless.
 */
public final class WriteBatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WriteBatch.class);
  private static final ThreadLocal<WriteBatch> OPEN = new ThreadLocal<>();
  private static final WriteBatch NESTED = new WriteBatch();

  private final List<Holding> held = new ArrayList<>(1); // connections with a held flush

  private WriteBatch() {}

  /**
   * Opens a batch on this thread; inside one already open, returns a batch whose {@link #close()}
   * leaves the outer one open.
   */
  public static WriteBatch open() {
    if (OPEN.get() != null) return NESTED;
    WriteBatch b = new WriteBatch();
    OPEN.set(b);
    return b;
  }

  /** Flushes what this thread's open batch holds, if one is open: call it before waiting. */
  public static void flushHeld() {
    WriteBatch b = OPEN.get();
    if (b != null) b.flush();
  }

  /** Writes out what this batch (or, nested, the batch around it) holds; it stays open. */
  public void flush() {
    if (this == NESTED) {
      flushHeld();
      return;
    }
    if (held.isEmpty()) return;
    for (Holding h : held) {
      try {
        h.delegate.flush(null); // not h.flush: that would hold it again
      } catch (IOException | RuntimeException e) {
        // The socket is broken: the connection's reader sees it too and recovers, and the
        // publishes it did not confirm are sent again (ConfirmingPublisher).
        log.debug("held frames not written: {}", e.toString());
      }
    }
    held.clear();
  }

  /** Writes out what this batch holds and closes it; the thread's flushes go out again. */
  @Override
  public void close() {
    if (OPEN.get() != this) return; // nested, closed, or another thread's
    OPEN.remove();
    flush();
  }

  /** Whether this thread's flush of {@code handler} is held: true inside an open batch. */
  private static boolean hold(Holding handler) {
    WriteBatch b = OPEN.get();
    if (b == null) return false;
    if (!b.held.contains(handler)) b.held.add(handler);
    return true;
  }

  /**
   * The client's frame handlers, each wrapped so that a flush asked for inside an open batch is
   * held: for {@link com.rabbitmq.client.ConnectionFactory}'s {@code createFrameHandlerFactory}.
   */
  public static FrameHandlerFactory frameHandlers(FrameHandlerFactory factory) {
    return (Address address, String name) -> new Holding(factory.create(address, name));
  }

  /** A frame handler that holds flushes asked for inside an open batch; all else delegates. */
  private static final class Holding implements FrameHandler { // equal only to itself
    private final FrameHandler delegate;

    Holding(FrameHandler delegate) {
      this.delegate = delegate;
    }

    @Override
    public void flush(WriteListener listener) throws IOException {
      if (listener == null && hold(this)) return; // a listener waits for the write: never held
      delegate.flush(listener);
    }

    @Override
    public void writeFrame(Frame frame) throws IOException {
      delegate.writeFrame(frame);
    }

    @Override
    public boolean internalHearbeat() {
      return delegate.internalHearbeat();
    }

    @Override
    public void setTimeout(int timeoutMs) throws SocketException {
      delegate.setTimeout(timeoutMs);
    }

    @Override
    public int getTimeout() throws SocketException {
      return delegate.getTimeout();
    }

    @Override
    public void sendHeader() throws IOException {
      delegate.sendHeader();
    }

    @Override
    public void initialize(AMQConnection connection) {
      delegate.initialize(connection);
    }

    @Override
    public void startProcessing() {
      delegate.startProcessing();
    }

    @Override
    public void finishConnectionNegotiation() {
      delegate.finishConnectionNegotiation();
    }

    @Override
    public void setFrameMax(int frameMax) {
      delegate.setFrameMax(frameMax);
    }

    @Override
    public Frame readFrame() throws IOException {
      return delegate.readFrame();
    }

    @Override
    public void close() {
      delegate.close();
    }

    @Override
    public InetAddress getLocalAddress() {
      return delegate.getLocalAddress();
    }

    @Override
    public int getLocalPort() {
      return delegate.getLocalPort();
    }

    @Override
    public InetAddress getAddress() {
      return delegate.getAddress();
    }

    @Override
    public int getPort() {
      return delegate.getPort();
    }
  }
}
