package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.WriteListener;
import dev.spool.testing.CountingSocket;
import org.junit.jupiter.api.Test;

final class WriteBatchTest {
  @Test
  void flush_outsideABatch_reachesTheSocket() throws Exception {
    CountingSocket s = new CountingSocket();
    s.flush();
    s.flush();
    assertEquals(2, s.writes());
    assertEquals(5672, s.handler().getPort(), "the rest delegates");
  }

  @Test
  void flush_insideABatch_isHeldUntilTheBatchFlushesOrCloses() throws Exception {
    CountingSocket a = new CountingSocket();
    CountingSocket b = new CountingSocket();
    try (WriteBatch batch = WriteBatch.open()) {
      for (int i = 0; i < 20; i++) a.flush();
      b.flush();
      assertEquals(0, a.writes());
      assertEquals(0, b.writes());
      batch.flush();
      assertEquals(1, a.writes(), "one write for the twenty held");
      assertEquals(1, b.writes());
      batch.flush();
      assertEquals(1, a.writes(), "nothing held: nothing written");
      a.flush();
      WriteBatch.flushHeld();
      assertEquals(2, a.writes());
      a.flush();
    }
    assertEquals(3, a.writes(), "close writes out what is held");
    a.flush();
    assertEquals(4, a.writes(), "after close, flushes go out again");
  }

  @Test
  void flush_withAListener_isNeverHeld() throws Exception {
    CountingSocket s = new CountingSocket();
    WriteListener listener = (ok, e) -> {};
    try (WriteBatch ignored = WriteBatch.open()) {
      s.handler().flush(listener);
      assertEquals(1, s.writes());
    }
  }

  @Test
  void flush_onAnotherThread_isNotHeldByThisThreadsBatch() throws Exception {
    CountingSocket s = new CountingSocket();
    try (WriteBatch ignored = WriteBatch.open()) {
      Thread.ofPlatform().start(s::flush).join();
      assertEquals(1, s.writes());
    }
  }

  @Test
  void open_insideABatch_closingTheInnerLeavesTheOuterHolding() throws Exception {
    CountingSocket s = new CountingSocket();
    try (WriteBatch outer = WriteBatch.open()) {
      try (WriteBatch inner = WriteBatch.open()) {
        s.flush();
        inner.flush();
        assertEquals(1, s.writes(), "the inner flush writes what the outer holds");
        s.flush();
      }
      assertEquals(1, s.writes(), "the inner close wrote nothing");
      s.flush();
      assertEquals(1, s.writes(), "the outer batch still holds");
      outer.close();
      outer.close();
      assertEquals(2, s.writes(), "closed twice, written once");
    }
    s.flush();
    assertEquals(3, s.writes());
  }
}
