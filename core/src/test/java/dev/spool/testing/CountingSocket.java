package dev.spool.testing;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.impl.FrameHandler;
import dev.spool.core.wire.WriteBatch;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection's frame handler for tests, wrapped as Spool's connections wrap theirs ({@link
 * WriteBatch#frameHandlers}): it counts the flushes that reach the socket, each one a write, and
 * runs {@code onWrite} at each. Its port is 5672; everything else does nothing.
 */
public final class CountingSocket {
  private final AtomicInteger writes = new AtomicInteger();
  private final FrameHandler handler;

  public CountingSocket() throws IOException {
    this(() -> {});
  }

  public CountingSocket(Runnable onWrite) throws IOException {
    FrameHandler socket =
        (FrameHandler)
            Proxy.newProxyInstance(
                FrameHandler.class.getClassLoader(),
                new Class<?>[] {FrameHandler.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("flush")) {
                    writes.incrementAndGet();
                    onWrite.run();
                  }
                  return method.getName().equals("getPort") ? 5672 : null;
                });
    handler = WriteBatch.frameHandlers((a, n) -> socket).create(new Address("h"), "c");
  }

  /** The handler as the client sees it: its flushes may be held by a batch. */
  public FrameHandler handler() {
    return handler;
  }

  /** Flushes that reached the socket. */
  public int writes() {
    return writes.get();
  }

  /** A flush, as the client asks for after each command. */
  public void flush() {
    try {
      handler.flush(null);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
