package dev.spool.core.wire;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One handle's use of an AMQP connection: the channels the handle opened, and the connection itself
 * when the handle owns it (a handle made alone) rather than shares it (a handle made from {@link
 * dev.spool.producer.Spool}). Closing the session closes the channels, then the connection if it is
 * owned, then tells the owner the handle is gone. Closing twice is harmless. Thread-safe.
 */
public final class Session implements AutoCloseable {
  /** The setup of a handle on its session: declarations, channels, subscriptions. */
  @FunctionalInterface
  public interface Setup<T> {
    T run(Session session) throws IOException, TimeoutException;
  }

  private final Connection connection;
  private final boolean owned;
  private final List<Channel> channels = new ArrayList<>(); // guarded by this
  private Runnable onClose = () -> {}; // guarded by this
  private boolean closed; // guarded by this

  private Session(Connection connection, boolean owned) {
    this.connection = connection;
    this.owned = owned;
  }

  /** A session on a connection of its own, named {@code connectionName} in the dashboard. */
  public static Session owning(SpoolConfig config, String connectionName) {
    return new Session(new AmqpConnector(config).open(connectionName), true);
  }

  /** A session on {@code connection}, which stays open when the session closes. */
  public static Session sharing(Connection connection) {
    return new Session(connection, false);
  }

  /**
   * Runs a handle's {@code setup}. When it fails, what the session opened is closed again and an
   * I/O failure is thrown as a {@link SpoolConnectionException} saying it could not {@code what}.
   */
  public <T> T setUp(String what, Setup<T> setup) {
    try {
      return setup.run(this);
    } catch (IOException | TimeoutException e) {
      abort();
      throw new SpoolConnectionException("cannot " + what + ": " + AmqpConnector.reason(e), e);
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** A new channel, closed with the session. */
  public Channel channel() throws IOException {
    Channel ch = connection.createChannel();
    synchronized (this) {
      if (closed) {
        AmqpConnector.closeQuietly(ch);
        throw new IllegalStateException("this handle is closed");
      }
      channels.add(ch);
    }
    return ch;
  }

  /** The connection, for short-lived channels the caller closes itself. */
  public Connection connection() {
    return connection;
  }

  /** Runs {@code action} once the session is closed (the owner forgets the handle). */
  public synchronized void onClose(Runnable action) {
    this.onClose = action;
  }

  /** Closes the channels, then the connection when owned. */
  @Override
  public void close() {
    release(false);
  }

  /**
   * Lets go without waiting for the broker (it may not be reading this connection at all, as when
   * it blocks it): channels and an owned connection are aborted.
   */
  public void abort() {
    release(true);
  }

  private void release(boolean abort) {
    List<Channel> mine;
    Runnable then;
    synchronized (this) {
      if (closed) return;
      closed = true;
      mine = new ArrayList<>(channels);
      channels.clear();
      then = onClose;
    }
    try {
      if (owned) {
        if (abort) connection.abort(1000);
        else AmqpConnector.closeQuietly(connection);
      } else if (abort) {
        // Even an abort waits for the broker's close-ok, which a blocked connection never gets
        // (a memory alarm): the caller lets go now, and the channels close once the broker reads
        // again, or with the connection.
        Thread.ofPlatform()
            .daemon()
            .name("spool-channel-abort")
            .start(() -> mine.reversed().forEach(Session::abortQuietly));
      } else {
        for (Channel ch : mine.reversed()) AmqpConnector.closeQuietly(ch);
      }
    } finally {
      then.run();
    }
  }

  private static void abortQuietly(Channel ch) {
    try {
      ch.abort();
    } catch (IOException | RuntimeException e) {
      // aborting is best effort by definition
    }
  }
}
