package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.WriteListener;
import com.rabbitmq.client.impl.FrameHandler;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class WriteBatchTest {
  /** A connection's frame handler that counts the flushes that reach it. */
  private static final class Socket {
    final AtomicInteger flushes = new AtomicInteger();
    final FrameHandler handler;

    Socket() throws Exception {
      FrameHandler counting =
          (FrameHandler)
              Proxy.newProxyInstance(
                  FrameHandler.class.getClassLoader(),
                  new Class<?>[] {FrameHandler.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("flush")) flushes.incrementAndGet();
                    if (method.getName().equals("getPort")) return 5672;
                    return null;
                  });
      handler = WriteBatch.frameHandlers((a, n) -> counting).create(new Address("h"), "c");
    }
  }

  @Test
  void flush_outsideABatch_reachesTheSocket() throws Exception {
    Socket s = new Socket();
    s.handler.flush(null);
    s.handler.flush(null);
    assertEquals(2, s.flushes.get());
    assertEquals(5672, s.handler.getPort(), "the rest delegates");
  }

  @Test
  void flush_insideABatch_isHeldUntilTheBatchFlushesOrCloses() throws Exception {
    Socket a = new Socket();
    Socket b = new Socket();
    try (WriteBatch batch = WriteBatch.open()) {
      for (int i = 0; i < 20; i++) a.handler.flush(null);
      b.handler.flush(null);
      assertEquals(0, a.flushes.get());
      assertEquals(0, b.flushes.get());
      batch.flush();
      assertEquals(1, a.flushes.get(), "one write for the twenty held");
      assertEquals(1, b.flushes.get());
      batch.flush();
      assertEquals(1, a.flushes.get(), "nothing held: nothing written");
      a.handler.flush(null);
      WriteBatch.flushHeld();
      assertEquals(2, a.flushes.get());
      a.handler.flush(null);
    }
    assertEquals(3, a.flushes.get(), "close writes out what is held");
    a.handler.flush(null);
    assertEquals(4, a.flushes.get(), "after close, flushes go out again");
  }

  @Test
  void flush_withAListener_isNeverHeld() throws Exception {
    Socket s = new Socket();
    WriteListener listener = (ok, e) -> {};
    try (WriteBatch ignored = WriteBatch.open()) {
      s.handler.flush(listener);
      assertEquals(1, s.flushes.get());
    }
  }

  @Test
  void flush_onAnotherThread_isNotHeldByThisThreadsBatch() throws Exception {
    Socket s = new Socket();
    try (WriteBatch ignored = WriteBatch.open()) {
      Thread other =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      s.handler.flush(null);
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
      other.join();
      assertEquals(1, s.flushes.get());
    }
  }

  @Test
  void open_insideABatch_closingTheInnerLeavesTheOuterHolding() throws Exception {
    Socket s = new Socket();
    try (WriteBatch outer = WriteBatch.open()) {
      try (WriteBatch inner = WriteBatch.open()) {
        s.handler.flush(null);
        inner.flush();
        assertEquals(1, s.flushes.get(), "the inner flush writes what the outer holds");
        s.handler.flush(null);
      }
      assertEquals(1, s.flushes.get(), "the inner close wrote nothing");
      s.handler.flush(null);
      assertEquals(1, s.flushes.get(), "the outer batch still holds");
      outer.close();
      outer.close();
      assertEquals(2, s.flushes.get(), "closed twice, written once");
    }
    s.handler.flush(null);
    assertEquals(3, s.flushes.get());
  }
}
